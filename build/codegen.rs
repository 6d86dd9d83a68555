//! The generator, compiled only with the `codegen` feature: `openapi.yaml` → progenitor → the
//! client (`codegen.rs`), its typed httpmock helpers (`httpmock.rs`), and the resource layer
//! (`resources.rs`, from `build/resources.rs`).
//!
//! The multipart operations (create and update) are removed before progenitor sees them
//! because progenitor cannot encode `multipart/form-data` bodies; the resource layer encodes
//! them from the same operations.
//!
//! Every schema marked `x-bitpeak-wire` is replaced by the crate's generic wire type of that
//! kind (`list`: a page with raw records; `record`: `{"data": <raw record>}`), so each record
//! is decoded on its own, tolerantly, by the ergonomic layer, in every resource.

use std::error::Error;

use openapiv3::{OpenAPI, Operation, ReferenceOr};

use crate::SPEC;

/// Every generated file, `(name, Rust source)`, from the spec's text.
pub fn generate(text: &str) -> Result<Vec<(&'static str, String)>, Box<dyn Error>> {
    let mut spec: OpenAPI = serde_yaml::from_str(text)
        .map_err(|e| format!("{SPEC} is not a valid OpenAPI 3.0 document: {e}"))?;

    let document: serde_json::Value = serde_yaml::from_str(text)?;
    let layer = crate::resources::generate(&document).map_err(|e| format!("{SPEC}: {e}"))?;
    let layer: syn::File = syn::parse_str(&layer)
        .map_err(|e| format!("the resource layer generated from {SPEC} is not Rust: {e}"))?;
    let layer = prettyplease::unparse(&layer);

    strip_multipart_operations(&mut spec);
    strip_untyped_json(&mut spec);
    let replacements = wire_replacements(&spec)?;
    let replaced: Vec<&str> = replacements.iter().map(|(name, _)| name.as_str()).collect();
    keep_only_used_schemas(&mut spec, &replaced)?;

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
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

    let client = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor could not generate a client from {SPEC}: {e}"))?;
    let mocks = progenitor::Generator::new(&settings)
        .httpmock(&spec, "crate::raw")
        .map_err(|e| format!("progenitor could not generate httpmock helpers: {e}"))?;
    Ok(vec![
        ("codegen.rs", unparse(client)?),
        ("httpmock.rs", unparse(mocks)?),
        ("resources.rs", layer),
    ])
}

fn unparse(tokens: proc_macro2::TokenStream) -> Result<String, Box<dyn Error>> {
    Ok(prettyplease::unparse(&syn::parse2(tokens)?))
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

/// Removes from every operation the responses whose `application/json` has no schema (a
/// `5XX` whose body may be anything, an empty one included): progenitor can type neither such
/// a body nor a second error type, so the raw client reads those answers as unexpected (the
/// crate's own layer classifies every answer itself).
fn strip_untyped_json(spec: &mut OpenAPI) {
    let untyped: Vec<String> = spec
        .components
        .iter()
        .flat_map(|c| &c.responses)
        .filter_map(|(name, response)| match response {
            ReferenceOr::Item(r) => r
                .content
                .iter()
                .any(|(kind, media)| kind.starts_with("application/json") && media.schema.is_none())
                .then(|| format!("#/components/responses/{name}")),
            ReferenceOr::Reference { .. } => None,
        })
        .collect();
    for item in spec.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for op in [&mut item.get, &mut item.post, &mut item.delete]
            .into_iter()
            .flatten()
        {
            op.responses.responses.retain(|_, r| {
                !matches!(r, ReferenceOr::Reference { reference } if untyped.contains(reference))
            });
        }
    }
}

/// Removes every component schema no remaining operation reaches (the forms of the removed
/// multipart operations, the records inside the replaced wire envelopes, …): the generated
/// client holds the types its operations and the crate's wire types use (a replaced envelope's
/// `meta` is followed, its `x-bitpeak-record` records are not), and downstream builds compile
/// no others.
fn keep_only_used_schemas(spec: &mut OpenAPI, replaced: &[&str]) -> Result<(), Box<dyn Error>> {
    let document = serde_json::to_value(&*spec)?;
    let mut used = std::collections::BTreeSet::new();
    // (a part of the document, whether it is inside a replaced envelope)
    let mut pending = vec![(&document["paths"], false)];
    while let Some((value, in_envelope)) = pending.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(serde_json::Value::as_str) {
                    let mut parts = target.trim_start_matches("#/").split('/');
                    if let (Some("components"), Some(kind), Some(name)) =
                        (parts.next(), parts.next(), parts.next())
                    {
                        let target = &document["components"][kind][name];
                        let skipped = in_envelope && target.get("x-bitpeak-record").is_some();
                        let schema = kind == "schemas";
                        if !skipped && (!schema || used.insert(name.to_owned())) {
                            pending.push((target, schema && replaced.contains(&name)));
                        }
                    }
                }
                pending.extend(map.values().map(|v| (v, in_envelope)));
            }
            serde_json::Value::Array(items) => {
                pending.extend(items.iter().map(|v| (v, in_envelope)));
            }
            _ => {}
        }
    }
    if let Some(components) = &mut spec.components {
        components.schemas.retain(|name, _| used.contains(name));
    }
    Ok(())
}
