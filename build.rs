//! Code generation only: `openapi.yaml` → progenitor → `$OUT_DIR/codegen.rs`.
//!
//! The multipart operations (create and update) are removed before generation because
//! progenitor cannot encode `multipart/form-data` bodies; `src/multipart.rs` encodes them.

use std::error::Error;
use std::path::PathBuf;

use openapiv3::{OpenAPI, Operation, ReferenceOr};

const SPEC: &str = "openapi.yaml";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let text = std::fs::read_to_string(manifest_dir.join(SPEC))
        .map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let mut spec: OpenAPI = serde_yaml::from_str(&text)
        .map_err(|e| format!("{SPEC} is not a valid OpenAPI 3.0 document: {e}"))?;

    strip_multipart_operations(&mut spec);

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(syn::parse_str("crate::transport::Transport")?)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq")
        // Decoded in one pass by hand (src/wire.rs) instead of an untagged enum that buffers.
        .with_replacement(
            "SettingsValue",
            "crate::wire::SettingsValue",
            std::iter::empty(),
        )
        // Parsed once while decoding, instead of a regex check and a second parse.
        .with_replacement("Datetime", "crate::wire::Datetime", std::iter::empty())
        .with_replacement(
            "NullableDatetime",
            "crate::wire::NullableDatetime",
            std::iter::empty(),
        )
        .with_replacement("IsEnabled", "crate::wire::IsEnabled", std::iter::empty());
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor could not generate a client from {SPEC}: {e}"))?;
    let file: syn::File = syn::parse2(tokens)?;
    let code = prettyplease::unparse(&file);

    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("codegen.rs");
    std::fs::write(&out, code)?;
    Ok(())
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
