//! Code generation only: `openapi.yaml` → progenitor → `$OUT_DIR/codegen.rs` (the client) and
//! `$OUT_DIR/httpmock.rs` (typed httpmock helpers, compiled with the `httpmock` feature).
//!
//! The multipart operations (create and update) are removed before generation because
//! progenitor cannot encode `multipart/form-data` bodies; `src/multipart.rs` encodes them.
//!
//! Every schema marked `x-bitpeak-wire` is replaced by the crate's generic wire type of that
//! kind (`list`: a page with raw records; `record`: `{"data": <raw record>}`), so each record
//! is decoded on its own, tolerantly, by the ergonomic layer, in every resource.

use std::error::Error;
use std::path::PathBuf;

use openapiv3::{OpenAPI, Operation, ReferenceOr};

#[path = "build/resources.rs"]
mod resources;

const SPEC: &str = "openapi.yaml";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/resources.rs");

    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let text = std::fs::read_to_string(manifest_dir.join(SPEC))
        .map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let mut spec: OpenAPI = serde_yaml::from_str(&text)
        .map_err(|e| format!("{SPEC} is not a valid OpenAPI 3.0 document: {e}"))?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    let document: serde_json::Value = serde_yaml::from_str(&text)?;
    let layer = resources::generate(&document).map_err(|e| format!("{SPEC}: {e}"))?;
    let layer: syn::File = syn::parse_str(&layer)
        .map_err(|e| format!("the resource layer generated from {SPEC} is not Rust: {e}"))?;
    std::fs::write(out_dir.join("resources.rs"), prettyplease::unparse(&layer))?;

    strip_multipart_operations(&mut spec);
    let replacements = wire_replacements(&spec)?;

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(syn::parse_str("crate::transport::Transport")?)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq");
    for (schema, wire_type) in replacements {
        settings.with_replacement(schema, wire_type, std::iter::empty());
    }
    // Datetimes stay text in the generated types (the model parses them, tolerantly): no
    // pattern check, and no regex engine compiled into every downstream build for it.
    settings.with_replacement(
        "NullableDatetime",
        "::std::option::Option<::std::string::String>",
        std::iter::empty(),
    );

    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor could not generate a client from {SPEC}: {e}"))?;
    write_rust(&out_dir.join("codegen.rs"), tokens)?;

    if std::env::var_os("CARGO_FEATURE_HTTPMOCK").is_some() {
        let tokens = progenitor::Generator::new(&settings)
            .httpmock(&spec, "crate::raw")
            .map_err(|e| format!("progenitor could not generate httpmock helpers: {e}"))?;
        write_rust(&out_dir.join("httpmock.rs"), tokens)?;
    }
    Ok(())
}

fn write_rust(
    path: &std::path::Path,
    tokens: proc_macro2::TokenStream,
) -> Result<(), Box<dyn Error>> {
    let file: syn::File = syn::parse2(tokens)?;
    std::fs::write(path, prettyplease::unparse(&file))?;
    Ok(())
}

/// The `(schema, wire type)` pairs for every schema marked `x-bitpeak-wire`.
fn wire_replacements(spec: &OpenAPI) -> Result<Vec<(String, &'static str)>, Box<dyn Error>> {
    let mut out = Vec::new();
    let Some(components) = &spec.components else {
        return Ok(out);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(kind) = schema.schema_data.extensions.get("x-bitpeak-wire") else {
            continue;
        };
        let wire_type = match kind.as_str() {
            Some("list") => "crate::wire::ListEnvelope",
            Some("record") => "crate::wire::Envelope",
            _ => {
                return Err(format!("{SPEC}: {name}: x-bitpeak-wire must be list or record").into())
            }
        };
        out.push((name.clone(), wire_type));
    }
    Ok(out)
}

/// Removes every operation whose request body is `multipart/form-data`.
fn strip_multipart_operations(spec: &mut OpenAPI) {
    let is_multipart = |op: &Option<Operation>| {
        op.as_ref()
            .and_then(|op| op.request_body.as_ref())
            .is_some_and(|body| match body {
                ReferenceOr::Item(body) => body.content.contains_key("multipart/form-data"),
                ReferenceOr::Reference { .. } => false,
            })
    };
    for item in spec.paths.paths.values_mut() {
        if let ReferenceOr::Item(item) = item {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ] {
                if is_multipart(op) {
                    *op = None;
                }
            }
        }
    }
}
