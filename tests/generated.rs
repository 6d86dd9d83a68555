//! The committed `src/generated/` (what downstream builds compile) is exactly what the spec
//! and the generator make: this repository's builds generate into `$OUT_DIR` (the `codegen`
//! feature, on through the crate's dev-dependency on itself), and this test compares.
//! `BITPEAK_REGENERATE=1` (what `scripts/regenerate` sets) writes the copy instead.

use std::path::Path;

#[test]
fn the_committed_generated_code_is_what_the_spec_makes() {
    let Some(out) = option_env!("BITPEAK_GENERATED") else {
        panic!("built without the `codegen` feature: the tests build with it");
    };
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/generated");
    let regenerate = std::env::var_os("BITPEAK_REGENERATE").is_some();
    let mut stale = Vec::new();
    for name in ["codegen.rs", "httpmock.rs", "resources.rs"] {
        let made = std::fs::read_to_string(Path::new(out).join(name)).unwrap();
        let path = committed.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(made.as_str()) {
            continue;
        }
        if regenerate {
            std::fs::write(&path, made).unwrap();
        } else {
            stale.push(format!("src/generated/{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what openapi.yaml and build/ make: run scripts/regenerate and commit"
    );
}
