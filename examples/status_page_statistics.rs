//! A status page's statistics: the visits by day, and the countries they came from.
//!
//! ```text
//! cargo run --example status_page_statistics [STATUS_PAGE_ID]   # on the embedded fake server, or BITPEAK_API_KEY=…
//! ```

use bitpeak::resources::{Query, StatisticsQuery, StatisticsType};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::client(|fake| {
        fake.seed_records(
            "status-pages",
            vec![serde_json::json!({"id": 1, "name": "Shop status", "url": "shop"})],
        )
    })
    .await?;
    let id = match std::env::args().nth(1) {
        Some(id) => id.parse()?,
        None => match client
            .status_pages()
            .list(&Query::new())
            .await?
            .items
            .first()
        {
            Some(page) => page.id,
            None => {
                println!("no status page");
                return Ok(());
            }
        },
    };
    for kind in [StatisticsType::Overview, StatisticsType::CountryCode] {
        let stats = client
            .statistics(id, &StatisticsQuery::new(kind.clone()))
            .await?;
        println!("status page #{id}, {kind}: {} row(s)", stats.rows.len());
        for row in &stats.rows {
            println!(
                "  {:<12} {:<10} {:>6} views {:>6} visitors",
                row.formatted_date.as_deref().unwrap_or("-"),
                row.country_code.as_deref().unwrap_or(""),
                row.pageviews.unwrap_or(0),
                row.visitors.unwrap_or(0)
            );
        }
    }
    Ok(())
}
