//! The resource layer's generator: from `openapi.yaml`, for every resource whose record
//! schema is marked `x-bitpeak-record`, its model (decoded field by field, tolerantly), the
//! typed form of each of its multipart operations (fields, checks and wire encoding from the
//! operation's schema), the enums those forms use, its operation traits and its accessor on
//! `Client`. Resources without the mark (notification handlers) are written by hand.
//!
//! The output is Rust source text, checked by `syn` and formatted by `prettyplease`.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Map, Value};

type Result<T> = std::result::Result<T, String>;

/// One operation of a resource, as the generic layer knows it.
enum Op {
    List {
        id: String,
        params: String,
    },
    /// `GET /path/{id}` answering a list: the records inside another one (a team's members).
    ListIn {
        id: String,
    },
    /// `GET /path` answering one record (the user).
    One {
        id: String,
    },
    Get {
        id: String,
    },
    Create {
        id: String,
        form: String,
    },
    Update {
        id: String,
        form: String,
    },
    Delete {
        id: String,
    },
}

impl Op {
    fn id(&self) -> &str {
        match self {
            Op::List { id, .. }
            | Op::ListIn { id }
            | Op::One { id }
            | Op::Get { id }
            | Op::Create { id, .. }
            | Op::Update { id, .. }
            | Op::Delete { id } => id,
        }
    }
}

/// A resource: its path, id parameter, model schema and operations.
struct Resource {
    path: String,
    tag_doc: String,
    /// Whether it is a section of the account as code (its tag's `x-bitpeak-account`).
    account: bool,
    id_param: String,
    model: String,
    ops: Vec<Op>,
}

/// The whole generated module.
pub fn generate(spec: &Value) -> Result<String> {
    let schemas = spec["components"]["schemas"]
        .as_object()
        .ok_or("the spec has no components.schemas")?;
    let resources = collect(spec, schemas)?;
    let mut out = String::new();
    let mut types = Types::new(schemas);
    for r in &resources {
        out += &model(&r.model, &schemas[&r.model], &mut types)?;
        out += &impls(r, schemas)?;
        for op in &r.ops {
            let (op_id, form, create) = match op {
                Op::Create { id, form } => (id, form, true),
                Op::Update { id, form } => (id, form, false),
                _ => continue,
            };
            out += &form_struct(r, op_id, form, create, schemas, &mut types.enums)?;
        }
    }
    // Schemas no record holds but marked to be read as a struct (`StatisticsRow`); nested
    // structs name further ones: generate until none is new.
    types.structs.extend(
        schemas
            .iter()
            .filter(|(_, s)| s["x-bitpeak-model"] == true)
            .map(|(name, _)| name.clone()),
    );
    let mut done = BTreeSet::new();
    while let Some(name) = types.structs.difference(&done).next().cloned() {
        out += &nested_struct(&name, &schemas[&name], &mut types)?;
        done.insert(name);
    }
    types.enums.extend(query_enums(spec));
    for name in &types.enums {
        out += &string_enum(name, &schemas[name])?;
    }
    out += &other_params(spec, &resources)?;
    out += &accessors(&resources);
    out += &catalog(&resources, schemas)?;
    Ok(out)
}

/// Every resource with an `x-bitpeak-record` model, in path order.
fn collect(spec: &Value, schemas: &Map<String, Value>) -> Result<Vec<Resource>> {
    let paths = spec["paths"].as_object().ok_or("the spec has no paths")?;
    let mut resources: Vec<Resource> = Vec::new();
    for (path, item) in paths {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (name, id_param) = match segments.as_slice() {
            [name] => (*name, None),
            [name, id] if id.starts_with('{') => (*name, Some(id.trim_matches(['{', '}']))),
            _ => continue,
        };
        for method in ["get", "post", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let op_id = str_at(op, "operationId")?.to_owned();
            let form = multipart_schema(op);
            let answer = wire_kind(spec, item, method);
            let op = match (method, id_param, form, answer) {
                ("get", None, _, Some("list")) => Op::List {
                    id: op_id,
                    params: list_params(spec, item, op)?,
                },
                ("get", None, _, Some("record")) => Op::One { id: op_id },
                ("get", Some(_), _, Some("record")) => Op::Get { id: op_id },
                ("get", Some(_), _, Some("list")) => Op::ListIn { id: op_id },
                ("post", None, Some(form), _) => Op::Create { id: op_id, form },
                ("post", Some(_), Some(form), _) => Op::Update { id: op_id, form },
                ("delete", Some(_), _, _) => Op::Delete { id: op_id },
                _ => continue,
            };
            let model = match &op {
                Op::List { .. } | Op::ListIn { .. } => record_of(spec, item, method, true)?,
                Op::Get { .. } | Op::One { .. } => record_of(spec, item, method, false)?,
                _ => None,
            };
            let index = match resources.iter().position(|r| r.path == name) {
                Some(i) => i,
                None => {
                    resources.push(Resource {
                        path: name.to_owned(),
                        tag_doc: tag_description(spec, op_tag(item, method)),
                        account: tag(spec, op_tag(item, method))["x-bitpeak-account"] == true,
                        id_param: String::new(),
                        model: String::new(),
                        ops: Vec::new(),
                    });
                    resources.len() - 1
                }
            };
            let r = &mut resources[index];
            if let Some(id) = id_param {
                r.id_param = id.to_owned();
            }
            if let Some(model) = model {
                r.model = model;
            }
            r.ops.push(op);
        }
    }
    resources.retain(|r| {
        schemas
            .get(&r.model)
            .is_some_and(|s| s.get("x-bitpeak-record").is_some())
    });
    Ok(resources)
}

fn op_tag<'a>(item: &'a Value, method: &str) -> Option<&'a str> {
    item[method]["tags"][0].as_str()
}

fn tag<'a>(spec: &'a Value, name: Option<&str>) -> &'a Value {
    spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"].as_str() == name)
        .unwrap_or(&Value::Null)
}

fn tag_description(spec: &Value, name: Option<&str>) -> String {
    tag(spec, name)["description"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn str_at<'a>(value: &'a Value, key: &str) -> Result<&'a str> {
    value[key]
        .as_str()
        .ok_or_else(|| format!("missing string {key:?}"))
}

/// The name of a `$ref`'d schema.
/// The schema a value names: its `$ref`, or the one `$ref` of an `allOf` (how a property that
/// also carries its own keys, such as `x-bitpeak-stored`, refers to a schema).
fn ref_name(value: &Value) -> Option<&str> {
    let target = match value["allOf"].as_array().map(Vec::as_slice) {
        Some([only]) => &only["$ref"],
        _ => &value["$ref"],
    };
    target
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// The form schema of an operation with a `multipart/form-data` body.
fn multipart_schema(op: &Value) -> Option<String> {
    ref_name(&op["requestBody"]["content"]["multipart/form-data"]["schema"]).map(str::to_owned)
}

/// The kind of answer of a `GET` (`list` or `record`, its `x-bitpeak-wire`), if it is one.
fn wire_kind<'a>(spec: &'a Value, item: &Value, method: &str) -> Option<&'a str> {
    let answer = &item[method]["responses"]["200"]["content"]["application/json"]["schema"];
    spec["components"]["schemas"][ref_name(answer)?]["x-bitpeak-wire"].as_str()
}

/// The record schema of a list (`data` items) or get (`data`) answer.
fn record_of(spec: &Value, item: &Value, method: &str, list: bool) -> Result<Option<String>> {
    let answer = &item[method]["responses"]["200"]["content"]["application/json"]["schema"];
    let Some(envelope) = ref_name(answer) else {
        return Ok(None);
    };
    let data = &spec["components"]["schemas"][envelope]["properties"]["data"];
    let data = if list { &data["items"] } else { data };
    Ok(ref_name(data).map(str::to_owned))
}

/// A list's query parameters beside the page and its size, with their allowed values.
/// An operation's query parameters but the page's, as `crate::resource::Param` values.
fn list_params(spec: &Value, item: &Value, op: &Value) -> Result<String> {
    let declared = item["parameters"]
        .as_array()
        .into_iter()
        .chain(op["parameters"].as_array())
        .flatten();
    let mut out = String::new();
    for param in declared {
        let param = match param["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/parameters/"))
        {
            Some(name) => &spec["components"]["parameters"][name],
            None => param,
        };
        if param["in"] != "query" {
            continue;
        }
        let name = str_at(param, "name")?;
        if name == "page" || name == "results_per_page" {
            continue;
        }
        let schema = resolve(spec, &param["schema"]);
        let values: Vec<String> = schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let _ = write!(
            out,
            "crate::resource::Param {{ name: {name:?}, values: &{values:?}, date: {} }},",
            schema["format"] == "date"
        );
    }
    Ok(out)
}

/// For each `GET` no resource claims (`get_statistics`), `<OPERATION_ID>_PARAMS`: its query
/// parameters as the spec declares them.
fn other_params(spec: &Value, resources: &[Resource]) -> Result<String> {
    let claimed: BTreeSet<&str> = resources.iter().flat_map(|r| &r.ops).map(Op::id).collect();
    let mut out = String::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        let op = &item["get"];
        let Some(id) = op["operationId"].as_str() else {
            continue;
        };
        let params = list_params(spec, item, op)?;
        if claimed.contains(id) || params.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "/// The query parameters of `{id}`, as the spec declares them.\npub const {}_PARAMS: &[crate::resource::Param] = &[{params}];",
            id.to_uppercase()
        );
    }
    Ok(out)
}

/// The named string enums that query parameters use (`StatisticsType`).
fn query_enums(spec: &Value) -> Vec<String> {
    let operations = spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| ["get", "post", "delete"].map(|m| &item[m]));
    operations
        .flat_map(|op| op["parameters"].as_array().into_iter().flatten())
        .filter(|p| p["in"] == "query")
        .filter_map(|p| ref_name(&p["schema"]))
        .filter(|name| {
            let schema = &spec["components"]["schemas"][*name];
            schema["type"] == "string" && schema["enum"].is_array()
        })
        .map(str::to_owned)
        .collect()
}

/// A schema with one level of `$ref` followed.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match ref_name(schema) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

// ---------------------------------------------------------------------------------------
// Models

/// The Rust type of a model field's value (the field itself is `Option` of it), and the
/// nested structs and enums those types name, to be generated once each.
struct Types<'a> {
    schemas: &'a Map<String, Value>,
    structs: BTreeSet<String>,
    enums: BTreeSet<String>,
}

const DATETIME: &str = "chrono::DateTime<chrono::Utc>";
const ANY: &str = "serde_json::Value";
const OBJECT: &str = "serde_json::Map<String, serde_json::Value>";

impl<'a> Types<'a> {
    fn new(schemas: &'a Map<String, Value>) -> Self {
        Types {
            schemas,
            structs: BTreeSet::new(),
            enums: BTreeSet::new(),
        }
    }

    fn schema(&self, name: &str) -> Result<&'a Value> {
        self.schemas
            .get(name)
            .ok_or_else(|| format!("no schema {name}"))
    }

    /// The type a schema reads as: a named object with properties is its own struct, a named
    /// string enum its enum (with `Unknown`), an array a `Vec`, an object of one value schema
    /// a `BTreeMap`; `oneOf`/`anyOf` are merged (see [`Types::merge`]).
    fn of(&mut self, schema: &Value, at: &str) -> Result<String> {
        if let Some(name) = ref_name(schema) {
            if name == "NullableDatetime" {
                return Ok(DATETIME.to_owned());
            }
            let target = self.schema(name)?;
            if target["type"] == "object" && target["properties"].is_object()
                || target["x-bitpeak-model"] == true
            {
                self.structs.insert(name.to_owned());
                return Ok(name.to_owned());
            }
            if target["type"] == "string" && target["enum"].is_array() {
                self.enums.insert(name.to_owned());
                return Ok(name.to_owned());
            }
            return self.of(target, at);
        }
        if let Some(branches) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let mut types = Vec::new();
            for branch in branches {
                if self.is_empty_json(branch) {
                    continue;
                }
                let ty = self.of(branch, at)?;
                if !types.contains(&ty) {
                    types.push(ty);
                }
            }
            return Ok(self.merge(types));
        }
        Ok(match schema["type"].as_str() {
            Some("integer") => "i64".to_owned(),
            Some("number") => "f64".to_owned(),
            Some("boolean") => "bool".to_owned(),
            // A string that holds an integer (`IntegerOrString`'s) is read as the integer.
            Some("string") if schema["x-bitpeak-integer"] == true => "i64".to_owned(),
            Some("string") => "String".to_owned(),
            Some("array") if schema["items"].as_object().is_some_and(|i| !i.is_empty()) => {
                format!("Vec<{}>", self.of(&schema["items"], at)?)
            }
            Some("object") if schema["properties"].is_object() => {
                return Err(format!(
                    "{at}: an object with properties must be a named schema (it becomes a struct)"
                ))
            }
            Some("object") if schema["additionalProperties"].is_object() => {
                let value = &schema["additionalProperties"];
                if value.as_object().is_some_and(|v| {
                    v.keys()
                        .any(|k| k == "$ref" || k == "type" || k == "oneOf" || k == "anyOf")
                }) {
                    format!(
                        "std::collections::BTreeMap<String, {}>",
                        self.of(value, at)?
                    )
                } else {
                    OBJECT.to_owned()
                }
            }
            Some("object") => OBJECT.to_owned(),
            _ => ANY.to_owned(),
        })
    }

    /// `[]`/`null` as a branch of its own (`EmptyJson`, an array of nothing or of anything):
    /// every reader takes it as empty, so it adds no type.
    fn is_empty_json(&self, branch: &Value) -> bool {
        let branch = match ref_name(branch) {
            Some("EmptyJson") => return true,
            Some(name) => match self.schemas.get(name) {
                Some(s) => s,
                None => return false,
            },
            None => branch,
        };
        branch["type"] == "array"
            && (branch["maxItems"] == 0
                || branch["items"].as_object().is_some_and(|i| i.is_empty()))
    }

    /// One type for the branches of a `oneOf`/`anyOf`: the same type once; an enum or text
    /// (an open enum) is the enum; `T` or a list of `T` is the list; a list of `T` or an
    /// object of `T` keyed by index (PHP's array with gaps) is the list; scalars merge to the
    /// widest (a flag wins, then integer, number, text); anything else is any JSON.
    fn merge(&self, types: Vec<String>) -> String {
        let has = |t: &str| types.iter().any(|x| x == t);
        match types.as_slice() {
            [one] => return one.clone(),
            [a, b] if a == "String" && self.enums.contains(b) => return b.clone(),
            [a, b] if b == "String" && self.enums.contains(a) => return a.clone(),
            [a, b] if *b == format!("Vec<{a}>") => return b.clone(),
            [a, b] if *a == format!("Vec<{b}>") => return a.clone(),
            [a, b]
                if a.starts_with("Vec<")
                    && *b
                        == format!(
                            "std::collections::BTreeMap<String, {}>",
                            &a[4..a.len() - 1]
                        ) =>
            {
                return a.clone()
            }
            _ => {}
        }
        let scalars = ["bool", "i64", "f64", "String"];
        if types.is_empty() || !types.iter().all(|t| scalars.contains(&t.as_str())) {
            return ANY.to_owned();
        }
        if has("bool") {
            "bool"
        } else if has("String") {
            "String"
        } else if has("f64") {
            "f64"
        } else {
            "i64"
        }
        .to_owned()
    }
}

/// A wire name as a Rust field name.
fn field_name(wire: &str) -> String {
    let name = wire.trim_end_matches("[]").replace(['-', '.'], "_");
    match name.as_str() {
        "type" => "kind".to_owned(),
        "ref" | "match" | "move" | "static" | "self" | "crate" | "mod" | "use" | "fn" | "impl"
        | "loop" | "where" | "async" | "await" | "dyn" | "trait" | "enum" | "struct" => {
            format!("r#{name}")
        }
        _ => name,
    }
}

fn is_secret(schema: &Value) -> bool {
    schema["x-bitpeak-secret"] == true || schema["format"] == "password"
}

/// The parts of a struct made from an object schema's properties: its field declarations,
/// the `read_field` match arms and the `Debug` fields (secrets redacted).
struct StructParts {
    fields: String,
    arms: String,
    debug: String,
}

fn struct_parts(
    props: &Map<String, Value>,
    types: &mut Types,
    nested: bool,
    skip: &[&str],
    at: &str,
) -> Result<StructParts> {
    let mut parts = StructParts {
        fields: String::new(),
        arms: String::new(),
        debug: String::new(),
    };
    for (prop, s) in props {
        if (prop == "id" && !nested) || skip.contains(&prop.as_str()) {
            continue;
        }
        let rust = field_name(prop);
        let ty = types.of(s, &format!("{at}.{prop}"))?;
        let mut serde = format!("rename = {prop:?}");
        if ty == DATETIME {
            serde += ", serialize_with = \"crate::wire::serialize_when\"";
        }
        if nested {
            serde += ", skip_serializing_if = \"Option::is_none\"";
        }
        let _ = writeln!(
            parts.fields,
            "{} #[serde({serde})] pub {rust}: Option<{ty}>,",
            doc(&field_doc(prop, s, types.schemas))
        );
        let _ = writeln!(
            parts.arms,
            "{prop:?} => crate::wire::read_into(&mut self.{rust}, value),"
        );
        let _ = if is_secret(s) {
            writeln!(
                parts.debug,
                ".field({prop:?}, &self.{rust}.as_ref().map(|_| \"<redacted>\"))"
            )
        } else {
            writeln!(parts.debug, ".field({prop:?}, &self.{rust})")
        };
    }
    Ok(parts)
}

fn model(name: &str, schema: &Value, types: &mut Types) -> Result<String> {
    let what = str_at(schema, "x-bitpeak-record")?;
    let props = schema["properties"]
        .as_object()
        .ok_or_else(|| format!("{name}: no properties"))?;
    let has_id = props.contains_key("id");
    let union = match schema.get("x-bitpeak-variant") {
        Some(_) => Some(Union::of(name, schema, types.schemas)?),
        None => None,
    };
    let skip: Vec<&str> = union
        .iter()
        .flat_map(|u| [u.tag.as_str(), u.content.as_str()])
        .collect();
    let StructParts {
        mut fields,
        mut arms,
        mut debug,
    } = struct_parts(props, types, false, &skip, name)?;
    let mut finish = String::new();
    let mut extra = String::new();
    if let Some(u) = &union {
        extra = u.enum_def();
        fields += &u.model_fields();
        arms += &u.model_arms();
        let _ = writeln!(debug, ".field({:?}, &self.{})", u.field, u.field);
        finish = u.model_finish();
    }
    let doc_text = match schema["description"].as_str() {
        Some(text) => text.to_owned(),
        None => format!("A {what}."),
    };
    let read_doc = format!(
        "#[doc = \"\n\nEvery field the record may carry, each read on its own: a field a server \
         did not send, or sent in a shape this crate cannot read, is `None` (the record as \
         sent is in [`{name}::raw`]).\"]"
    );
    Ok(format!(
        r#"
{doc}
{read_doc}
#[derive(Clone, Default, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct {name} {{
    {id_field}
    {fields}
    #[serde(skip)]
    raw: crate::wire::RawRecord,
}}

impl std::fmt::Debug for {name} {{
    /// Every field, secrets (`x-bitpeak-secret` in the spec) shown as `<redacted>`; the raw
    /// record is left out, as it holds them too.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{
        f.debug_struct({name:?})
            {id_debug}
            {debug}
            .finish_non_exhaustive()
    }}
}}

impl {name} {{
    /// The record exactly as the server sent it.
    pub fn raw(&self) -> &crate::wire::RawRecord {{
        &self.raw
    }}
}}

impl crate::wire::Fields for {name} {{
    fn read_field<'de, D: serde::Deserializer<'de>>(&mut self, key: &str, value: D) -> Result<(), D::Error> {{
        match key {{
            {id_arm}
            {arms}
            _ => crate::wire::skip(value),
        }}
    }}
    {finish}
}}

impl crate::record::FromRecord for {name} {{
    const WHAT: &'static str = {what:?};

    fn from_record(raw: crate::wire::RawRecord) -> Result<Self, crate::record::UnreadableRecord> {{
        crate::record::model(raw, {id_check}, |m: &mut Self| &mut m.raw)
    }}

    fn id(&self) -> u64 {{
        {id_of}
    }}

    fn raw(&self) -> &crate::wire::RawRecord {{
        &self.raw
    }}
}}
"#,
        doc = doc(&doc_text),
        id_field = if has_id {
            "/// The id.\npub id: u64,"
        } else {
            ""
        },
        id_arm = if has_id {
            "\"id\" => crate::record::read_id(&mut self.id, value),"
        } else {
            ""
        },
        id_check = if has_id {
            "Some(|m: &Self| m.id)"
        } else {
            "None"
        },
        id_debug = if has_id {
            ".field(\"id\", &self.id)"
        } else {
            ""
        },
        id_of = if has_id {
            "self.id"
        } else {
            "crate::record::content_key(&self.raw)"
        },
    ) + &extra)
}

/// A nested object schema as a struct: every property an optional field read on its own, the
/// other keys kept as sent.
fn nested_struct(name: &str, schema: &Value, types: &mut Types) -> Result<String> {
    let props = merged_props(schema, types.schemas);
    if props.is_empty() {
        return Err(format!("{name}: no properties"));
    }
    let StructParts {
        fields,
        arms,
        debug,
    } = struct_parts(&props, types, true, &[], name)?;
    Ok(format!(
        r#"
{doc}
#[doc = "\n\nEvery key is read on its own (`None` when absent or of another shape); keys this crate does not know are kept ([`{name}::other`])."]
#[derive(Clone, Default, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct {name} {{
    {fields}
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}}

impl {name} {{
    /// The keys the spec does not name, as the server sent them.
    pub fn other(&self) -> &serde_json::Map<String, serde_json::Value> {{
        &self.other
    }}
}}

impl std::fmt::Debug for {name} {{
    /// Every field, secrets shown as `<redacted>`; the other keys are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{
        f.debug_struct({name:?})
            {debug}
            .finish_non_exhaustive()
    }}
}}

impl crate::wire::Fields for {name} {{
    fn read_field<'de, D: serde::Deserializer<'de>>(&mut self, key: &str, value: D) -> Result<(), D::Error> {{
        match key {{
            {arms}
            _ => crate::wire::keep(&mut self.other, key, value),
        }}
    }}
}}

impl crate::wire::Tolerant for {name} {{
    fn read<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<Self>, D::Error> {{
        crate::wire::object(value)
    }}
}}
"#,
        doc = doc(schema["description"].as_str().unwrap_or(name)),
    ))
}

/// An object schema's properties; of an `anyOf`/`oneOf` of objects, every branch's (the
/// first branch naming a key gives its schema).
fn merged_props(schema: &Value, schemas: &Map<String, Value>) -> Map<String, Value> {
    let branches = schema["anyOf"].as_array().or(schema["oneOf"].as_array());
    let mut props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for branch in branches.into_iter().flatten() {
        let branch = ref_name(branch)
            .and_then(|n| schemas.get(n))
            .unwrap_or(branch);
        for (key, prop) in branch["properties"].as_object().into_iter().flatten() {
            props.entry(key.clone()).or_insert_with(|| prop.clone());
        }
    }
    props
}

fn field_doc(prop: &str, schema: &Value, schemas: &Map<String, Value>) -> String {
    let own = schema["description"].as_str();
    let referred = ref_name(schema)
        .and_then(|n| schemas.get(n))
        .and_then(|s| s["description"].as_str());
    format!(
        "`{prop}`: {}",
        own.or(referred).unwrap_or("as the server sent it.")
    )
}

// ---------------------------------------------------------------------------------------
// Operation traits and accessors

fn impls(r: &Resource, schemas: &Map<String, Value>) -> Result<String> {
    let m = &r.model;
    let read = r
        .ops
        .iter()
        .find_map(|op| match op {
            Op::Get { id } => Some(format!("Some({id:?})")),
            _ => None,
        })
        .unwrap_or_else(|| "None".to_owned());
    let mut out = format!(
        "impl crate::resource::Resource for {m} {{ const PATH: &'static str = {:?}; const ID: &'static str = {:?}; const READ: Option<&'static str> = {read}; }}\n",
        r.path, r.id_param
    );
    for op in &r.ops {
        let _ = match op {
            Op::List { id, params } => {
                writeln!(out, "impl crate::resource::List for {m} {{ const LIST: &'static str = {id:?}; const PARAMS: &'static [crate::resource::Param] = &[{params}]; }}")
            }
            Op::Get { id } => writeln!(
                out,
                "impl crate::resource::Get for {m} {{ const GET: &'static str = {id:?}; }}"
            ),
            Op::ListIn { id } => writeln!(
                out,
                "impl crate::resource::ListIn for {m} {{ const LIST_IN: &'static str = {id:?}; }}"
            ),
            Op::One { id } => writeln!(
                out,
                "impl crate::resource::One for {m} {{ const ONE: &'static str = {id:?}; }}"
            ),
            Op::Delete { id } => writeln!(
                out,
                "impl crate::resource::Delete for {m} {{ const DELETE: &'static str = {id:?}; }}"
            ),
            Op::Create { id, form } => writeln!(
                out,
                "impl crate::resource::Create for {m} {{ const CREATE: &'static str = {id:?}; type Form = {}; }}",
                form_name(form)
            ),
            Op::Update { id, form } => {
                let resend: String = properties(form, schemas)?
                    .iter()
                    .filter_map(|(wire, s)| {
                        s["x-bitpeak-resend"].as_str().map(|from| {
                            format!("crate::resource::Resend {{ field: {wire:?}, from: {from:?}, flag: {} }},", is_flag(s))
                        })
                    })
                    .collect();
                writeln!(
                    out,
                    "impl crate::resource::Update for {m} {{ const UPDATE: &'static str = {id:?}; type Form = {}; const RESEND: &'static [crate::resource::Resend] = &[{resend}]; }}",
                    form_name(form)
                )
            }
        };
    }
    Ok(out)
}

fn accessors(resources: &[Resource]) -> String {
    let mut out = String::from("impl crate::Client {\n");
    for r in resources {
        let method = r.path.replace('-', "_");
        let text = doc(&format!("The `{}` resource: {}", r.path, r.tag_doc));
        let m = &r.model;
        // A resource that is one record (`GET /user`) is read by its accessor.
        let _ = if r.ops.iter().any(|op| matches!(op, Op::One { .. })) {
            writeln!(
                out,
                "{text} pub async fn {method}(&self) -> Result<{m}, crate::Error> {{ crate::resources::Resources::<{m}>::new(self).one().await }}"
            )
        } else {
            writeln!(
                out,
                "{text} pub fn {method}(&self) -> crate::resources::Resources<'_, {m}> {{ crate::resources::Resources::new(self) }}"
            )
        };
    }
    out + "}\n"
}

/// `CATALOG`: every resource as data, its operations as pointers to the generic functions of
/// `crate::catalog` instantiated for its model.
fn catalog(resources: &[Resource], schemas: &Map<String, Value>) -> Result<String> {
    let mut out = String::from(
        "/// Every generated resource, in the spec's path order.\n#[cfg(feature = \"catalog\")]\npub(crate) static CATALOG: &[crate::catalog::ResourceInfo] = &[\n",
    );
    for r in resources {
        let m = &r.model;
        let props = schemas[m]["properties"]
            .as_object()
            .ok_or_else(|| format!("{m}: no properties"))?;
        let fields: Vec<&str> = props.keys().map(String::as_str).collect();
        let secrets: Vec<&str> = props
            .iter()
            .filter(|(_, s)| s["x-bitpeak-secret"] == true || s["format"] == "password")
            .map(|(k, _)| k.as_str())
            .collect();
        let mut ops = Vec::new();
        let mut params = "&[]".to_owned();
        let (mut create, mut update) = ("None".to_owned(), "None".to_owned());
        let op = |name: &str| format!("{name}: Some(crate::catalog::{name}::<{m}>)");
        let form_fields = |form: &str| {
            format!(
                "Some(<{} as crate::catalog::FromFields>::FIELDS)",
                form_name(form)
            )
        };
        for o in &r.ops {
            match o {
                Op::List { .. } => {
                    ops.push(op("list"));
                    ops.push(op("all"));
                    params = format!("<{m} as crate::resource::List>::PARAMS");
                }
                Op::ListIn { .. } => ops.push(op("list_in")),
                Op::One { .. } => ops.push(op("one")),
                Op::Get { .. } => ops.push(op("get")),
                Op::Create { form, .. } => {
                    ops.push(op("create"));
                    ops.push(op("check_create"));
                    create = form_fields(form);
                }
                Op::Update { form, .. } => {
                    ops.push(op("update"));
                    update = form_fields(form);
                }
                Op::Delete { .. } => ops.push(op("delete")),
            }
        }
        let _ = writeln!(
            out,
            "crate::catalog::ResourceInfo {{ path: {:?}, about: {:?}, account: {}, id: {:?}, fields: &{fields:?}, secrets: &{secrets:?}, params: {params}, create: {create}, update: {update}, ops: crate::catalog::Ops {{ {}, ..crate::catalog::Ops::NONE }} }},",
            r.path,
            r.tag_doc,
            r.account,
            r.id_param,
            ops.join(", ")
        );
    }
    Ok(out + "];\n")
}

// ---------------------------------------------------------------------------------------
// Forms

/// `MonitorCreateForm` → `NewMonitor`, `MonitorUpdateForm` → `MonitorUpdate`,
/// `IncidentCommentForm` → `IncidentComment`.
fn form_name(schema: &str) -> String {
    if let Some(model) = schema.strip_suffix("CreateForm") {
        return format!("New{model}");
    }
    schema.strip_suffix("Form").unwrap_or(schema).to_owned()
}

/// A form's properties (name, schema) and its required names.
type FormParts<'a> = (Vec<(&'a str, &'a Value)>, Vec<&'a str>);

/// A form's properties and required names: an object's own, or those of every member of its
/// `allOf` (a form made of shared parts, such as the handlers' settings fields).
fn form_parts<'a>(form: &str, schemas: &'a Map<String, Value>) -> Result<FormParts<'a>> {
    fn walk<'a>(schema: &'a Value, schemas: &'a Map<String, Value>, out: &mut FormParts<'a>) {
        let schema = match ref_name(schema) {
            Some(name) if schema["allOf"].is_null() => match schemas.get(name) {
                Some(s) => s,
                None => return,
            },
            _ => schema,
        };
        for part in schema["allOf"].as_array().into_iter().flatten() {
            walk(part, schemas, out);
        }
        let props = schema["properties"].as_object().into_iter().flatten();
        out.0.extend(props.map(|(k, v)| (k.as_str(), v)));
        let required = schema["required"].as_array().into_iter().flatten();
        out.1.extend(required.filter_map(Value::as_str));
    }
    let schema = schemas
        .get(form)
        .ok_or_else(|| format!("{form}: no such schema"))?;
    let mut out = (Vec::new(), Vec::new());
    walk(schema, schemas, &mut out);
    if out.0.is_empty() {
        return Err(format!(
            "{form}: a form schema must be an object with properties"
        ));
    }
    Ok(out)
}

fn properties<'a>(
    form: &str,
    schemas: &'a Map<String, Value>,
) -> Result<Vec<(&'a str, &'a Value)>> {
    form_parts(form, schemas).map(|(props, _)| props)
}

/// An integer of the values `0` and `1`: a flag, `bool` in Rust.
fn is_flag(schema: &Value) -> bool {
    schema["type"] == "integer"
        && schema["enum"].as_array().is_some_and(|e| {
            e.len() == 2 && e.contains(&Value::from(0)) && e.contains(&Value::from(1))
        })
}

/// A form field's Rust type and its checks.
struct Field<'a> {
    wire: &'a str,
    rust: String,
    /// The element type (`String`, `i64`, `f64`, `bool`, or a generated enum).
    ty: String,
    list: bool,
    required: bool,
    schema: &'a Value,
    /// The element schema (the array's `items`, else the field's own), `$ref` followed.
    element: &'a Value,
}

fn form_field<'a>(
    wire: &'a str,
    schema: &'a Value,
    required: bool,
    schemas: &'a Map<String, Value>,
    enums: &mut BTreeSet<String>,
) -> Result<Field<'a>> {
    let list = schema["type"] == "array";
    let raw_element = if list { &schema["items"] } else { schema };
    let (element, named) = match ref_name(raw_element) {
        Some(name) => (
            schemas
                .get(name)
                .ok_or_else(|| format!("{wire}: no schema {name}"))?,
            Some(name),
        ),
        None => (raw_element, None),
    };
    let ty = match (element["type"].as_str(), named) {
        (Some("string"), Some(name)) if element["enum"].is_array() => {
            enums.insert(name.to_owned());
            name.to_owned()
        }
        (Some("string"), _) => "String".to_owned(),
        (Some("integer"), _) if is_flag(element) => "bool".to_owned(),
        (Some("integer"), _) => "i64".to_owned(),
        (Some("number"), _) => "f64".to_owned(),
        (Some("boolean"), _) => "bool".to_owned(),
        other => {
            return Err(format!(
            "{wire}: form fields are strings, integers, numbers or arrays of them, not {other:?}"
        ))
        }
    };
    Ok(Field {
        wire,
        rust: field_name(wire),
        ty,
        list,
        required,
        schema,
        element,
    })
}

impl Field<'_> {
    /// The `crate::catalog::Fields` method that takes this field's value(s).
    fn taker(&self) -> &'static str {
        match (self.list, self.required) {
            (true, true) => "list",
            (true, false) => "opt_list",
            (false, true) => "one",
            (false, false) => "opt",
        }
    }

    /// The field as `crate::catalog::FieldInfo` data; `required_for`, the variant tag values
    /// that need it.
    fn info(&self, required_for: &[&str]) -> String {
        let kind = match self.ty.as_str() {
            "i64" => "Integer",
            "f64" => "Number",
            "bool" => "Boolean",
            _ => "Text",
        };
        let values: Vec<String> = self.element["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|_| self.ty != "bool")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        let about = self.schema["description"]
            .as_str()
            .or(self.element["description"].as_str())
            .unwrap_or("");
        let text = |key: &str| match self.schema[key].as_str() {
            Some(v) => format!("Some({v:?})"),
            None => "None".to_owned(),
        };
        let secret = self.schema["x-bitpeak-secret"] == true || self.schema["format"] == "password";
        let max_chars = match self.element["maxLength"]
            .as_u64()
            .or(self.schema["maxLength"].as_u64())
        {
            Some(n) => format!("Some({n})"),
            None => "None".to_owned(),
        };
        format!(
            "crate::catalog::FieldInfo {{ name: {:?}, kind: crate::catalog::FieldKind::{kind}, list: {}, required: {}, values: &{values:?}, about: {about:?}, stored: {}, refers: {}, secret: {secret}, required_for: &{required_for:?}, max_chars: {max_chars} }},",
            self.wire.trim_end_matches("[]"),
            self.list,
            self.required,
            text("x-bitpeak-stored"),
            text("x-bitpeak-refers"),
        )
    }

    fn full_type(&self) -> String {
        match (self.list, self.required) {
            (true, true) => format!("Vec<{}>", self.ty),
            (true, false) => format!("Option<Vec<{}>>", self.ty),
            (false, true) => self.ty.clone(),
            (false, false) => format!("Option<{}>", self.ty),
        }
    }

    /// The setter's argument type and how it becomes the element value(s).
    fn argument(&self) -> (String, String) {
        let text = self.ty == "String";
        match (self.list, text) {
            (true, true) => (
                "impl IntoIterator<Item = impl Into<String>>".to_owned(),
                "value.into_iter().map(Into::into).collect()".to_owned(),
            ),
            (true, false) => (
                format!("impl IntoIterator<Item = {}>", self.ty),
                "value.into_iter().collect()".to_owned(),
            ),
            (false, true) => ("impl Into<String>".to_owned(), "value.into()".to_owned()),
            (false, false) => (self.ty.clone(), "value".to_owned()),
        }
    }

    /// Statements checking one element `v` (a reference) against the schema.
    fn element_checks(&self) -> String {
        let w = self.wire;
        let e = self.element;
        let mut out = String::new();
        if self.ty == "String" {
            let min = e["minLength"]
                .as_u64()
                .or(self.schema["minLength"].as_u64());
            if (self.required || min.is_some_and(|m| m > 0)) && !self.list {
                let _ = write!(out, "crate::resources::check::not_blank({w:?}, v)?;");
            }
            if let Some(max) = e["maxLength"]
                .as_u64()
                .or(self.schema["maxLength"].as_u64())
            {
                let _ = write!(out, "crate::resources::check::max_chars({w:?}, v, {max})?;");
            }
            if let Some(values) = e["enum"].as_array() {
                let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                let _ = write!(
                    out,
                    "crate::resources::check::one_of({w:?}, v.trim(), &{values:?})?;"
                );
            }
            match e["format"].as_str().or(self.schema["format"].as_str()) {
                Some("email") => {
                    let _ = write!(out, "crate::resources::check::email({w:?}, v)?;");
                }
                Some("uri") => {
                    let _ = write!(out, "crate::resources::check::http_url({w:?}, v)?;");
                }
                _ => {}
            }
        }
        if e["type"] == "string" && e["enum"].is_array() && self.ty != "String" {
            let _ = write!(
                out,
                "crate::resources::check::listed({w:?}, v, {}::ALL)?;",
                self.ty
            );
        }
        if self.ty == "i64" {
            if let Some(values) = e["enum"].as_array() {
                let values: Vec<i64> = values.iter().filter_map(Value::as_i64).collect();
                let _ = write!(
                    out,
                    "crate::resources::check::one_of({w:?}, *v, &{values:?})?;"
                );
            }
            let min = e["minimum"]
                .as_i64()
                .map_or("None".to_owned(), |n| format!("Some({n})"));
            let max = e["maximum"]
                .as_i64()
                .map_or("None".to_owned(), |n| format!("Some({n})"));
            if min != "None" || max != "None" {
                let _ = write!(
                    out,
                    "crate::resources::check::range({w:?}, *v, {min}, {max})?;"
                );
            }
        }
        out
    }

    fn checks(&self) -> String {
        let body = self.element_checks();
        let r = &self.rust;
        if body.is_empty() {
            return String::new();
        }
        match (self.list, self.required) {
            (false, true) => format!("{{ let v = &self.{r}; {body} }}"),
            (false, false) => format!("if let Some(v) = &self.{r} {{ {body} }}"),
            (true, true) => format!("for v in &self.{r} {{ {body} }}"),
            (true, false) => format!("for v in self.{r}.iter().flatten() {{ {body} }}"),
        }
    }

    fn encode(&self) -> String {
        let (w, r) = (self.wire, &self.rust);
        match (self.list, self.required) {
            (false, true) => format!("fields.push(({w:?}, crate::resources::check::Wire::wire(&self.{r})));"),
            (false, false) => format!("if let Some(v) = &self.{r} {{ fields.push(({w:?}, crate::resources::check::Wire::wire(v))); }}"),
            (true, true) => format!("for v in &self.{r} {{ fields.push(({w:?}, crate::resources::check::Wire::wire(v))); }}"),
            (true, false) => format!("for v in self.{r}.iter().flatten() {{ fields.push(({w:?}, crate::resources::check::Wire::wire(v))); }}"),
        }
    }
}

/// For an array whose entries go with those of other arrays (`x-bitpeak-parallel`: header
/// names and values, alert metrics and rules), the check that they are as many.
fn parallel_check(field: &Field, fields: &[Field]) -> String {
    let with = field.schema["x-bitpeak-parallel"].as_array();
    with.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|wire| fields.iter().find(|f| f.wire == wire))
        .map(|other| {
            format!(
                "crate::resources::check::as_many({:?}, self.{}.as_ref().map_or(0, Vec::len), {:?}, self.{}.as_ref().map_or(0, Vec::len))?;",
                field.wire, field.rust, other.wire, other.rust
            )
        })
        .collect()
}

fn form_struct(
    r: &Resource,
    op_id: &str,
    form: &str,
    create: bool,
    schemas: &Map<String, Value>,
    enums: &mut BTreeSet<String>,
) -> Result<String> {
    let name = form_name(form);
    let schema = &schemas[form];
    let (props, required) = form_parts(form, schemas)?;
    let fields = props
        .into_iter()
        .map(|(wire, s)| form_field(wire, s, required.contains(&wire), schemas, enums))
        .collect::<Result<Vec<_>>>()?;

    let mut decl = String::new();
    let mut args = String::new();
    let mut init = String::new();
    let mut setters = String::new();
    let mut checks = String::new();
    let mut encode = String::new();
    let mut infos = String::new();
    let mut from = String::new();
    let unions: Vec<Union> = fields
        .iter()
        .filter_map(|f| f.schema["x-bitpeak-variant"].as_str())
        .map(|name| Union::named(name, schemas))
        .collect::<Result<_>>()?;
    for f in &fields {
        let required_for: Vec<&str> = unions
            .iter()
            .flat_map(|u| &u.variants)
            .filter(|(_, wires)| wires.iter().any(|w| w == f.wire))
            .map(|(kind, _)| kind.as_str())
            .collect();
        infos.push_str(&f.info(&required_for));
        let _ = write!(
            from,
            "{}: fields.{}::<{}>({:?})?,",
            f.rust,
            f.taker(),
            f.ty,
            f.wire
        );
        let mut text = format!(
            "`{}`{}: {}",
            f.wire,
            if f.required { " (required)" } else { "" },
            f.schema["description"]
                .as_str()
                .or(f.element["description"].as_str())
                .unwrap_or("")
        );
        if let (false, Some(from)) = (create, f.schema["x-bitpeak-resend"].as_str()) {
            let _ = write!(text, " Left out, the stored value (`{from}`) is re-sent.");
        }
        let _ = writeln!(decl, "{} pub {}: {},", doc(&text), f.rust, f.full_type());
        let (arg, value) = f.argument();
        if f.required {
            let _ = write!(args, "{}: {arg},", f.rust);
            let arg_name = f.rust.as_str();
            let v = value.replace("value", arg_name);
            if v == arg_name {
                let _ = write!(init, "{},", f.rust);
            } else {
                let _ = write!(init, "{}: {v},", f.rust);
            }
        } else {
            let _ = write!(init, "{}: None,", f.rust);
        }
        let set = if f.required {
            value
        } else {
            format!("Some({value})")
        };
        let _ = writeln!(
            setters,
            "{} pub fn {}(mut self, value: {arg}) -> Self {{ self.{} = {set}; self }}",
            doc(&format!("Sets `{}`.", f.wire)),
            f.rust,
            f.rust
        );
        checks.push_str(&f.checks());
        checks.push_str(&parallel_check(f, &fields));
        encode.push_str(&f.encode());
    }
    for f in &fields {
        if let Some(union) = f.schema["x-bitpeak-variant"].as_str() {
            let union = Union::named(union, schemas)?;
            setters.push_str(&union.form_setter(f, &fields)?);
            checks.push_str(&union.form_check(f, &fields)?);
        }
    }
    let method = if create { "create" } else { "update" };
    let doc_text = format!(
        "The form of `{op_id}` (`{}`), sent by `client.{}().{method}(…)`. {}",
        if create {
            format!("POST /{}", r.path)
        } else {
            format!("POST /{}/{{{}}}", r.path, r.id_param)
        },
        r.path.replace('-', "_"),
        schema["description"].as_str().unwrap_or("")
    );
    let default = if required.is_empty() {
        "#[derive(Default)]"
    } else {
        ""
    };
    Ok(format!(
        r#"
{doc}
#[derive(Clone, Debug, PartialEq)]
{default}
#[non_exhaustive]
pub struct {name} {{
    {decl}
}}

impl {name} {{
    /// The form with its required fields; the others are left out until set.
    #[allow(clippy::new_without_default)]
    pub fn new({args}) -> Self {{
        {name} {{ {init} }}
    }}
    {setters}
}}

impl crate::resource::FormBody for {name} {{
    fn validate(&self) -> Result<(), crate::Error> {{
        {checks}
        Ok(())
    }}

    fn fields(&self) -> Vec<(&'static str, String)> {{
        let mut fields = Vec::new();
        {encode}
        fields
    }}
}}

#[cfg(feature = "catalog")]
impl crate::catalog::FromFields for {name} {{
    const FIELDS: &'static [crate::catalog::FieldInfo] = &[{infos}];

    fn from_fields(mut fields: crate::catalog::Fields) -> Result<Self, crate::Error> {{
        let form = {name} {{ {from} }};
        fields.finish()?;
        Ok(form)
    }}
}}
"#,
        doc = doc(&doc_text),
    ))
}

// ---------------------------------------------------------------------------------------
// Unions by a tag (`x-bitpeak-variant`): a handler's `type` and the fields of its `settings`

/// A record schema's `x-bitpeak-variant`: the enum `name` (a field `field` of the model) made
/// of the record's `tag` and `content` fields, one variant per tag value with its content
/// fields, and `Unknown` for anything else.
struct Union<'a> {
    name: String,
    field: String,
    tag: String,
    content: String,
    variants: Vec<(String, Vec<String>)>,
    /// The content object's properties (their descriptions and secrets).
    props: Option<&'a Map<String, Value>>,
    about: String,
}

impl<'a> Union<'a> {
    fn of(model: &str, schema: &'a Value, schemas: &'a Map<String, Value>) -> Result<Self> {
        let ext = &schema["x-bitpeak-variant"];
        let text = |key: &str| {
            ext[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{model}: x-bitpeak-variant needs `{key}`"))
        };
        let variants = ext["variants"]
            .as_object()
            .ok_or_else(|| format!("{model}: x-bitpeak-variant needs `variants`"))?
            .iter()
            .map(|(kind, fields)| {
                let fields = fields.as_array().into_iter().flatten();
                let fields = fields.filter_map(Value::as_str).map(str::to_owned);
                (kind.clone(), fields.collect())
            })
            .collect();
        let content = text("content")?;
        let content_schema = &schema["properties"][content.as_str()];
        Ok(Union {
            name: text("name")?,
            field: text("field")?,
            tag: text("tag")?,
            props: object_props(content_schema, schemas),
            about: field_doc(&content, content_schema, schemas),
            content,
            variants,
        })
    }

    /// The union a form's tag field names (`x-bitpeak-variant: Channel`).
    fn named(name: &str, schemas: &'a Map<String, Value>) -> Result<Self> {
        let (model, schema) = schemas
            .iter()
            .find(|(_, s)| s["x-bitpeak-variant"]["name"] == name)
            .ok_or_else(|| format!("no record schema has x-bitpeak-variant named {name}"))?;
        Union::of(model, schema, schemas)
    }

    fn secret(&self, field: &str) -> bool {
        self.props.and_then(|p| p.get(field)).is_some_and(is_secret)
    }

    fn field_about(&self, field: &str) -> String {
        let about = self
            .props
            .and_then(|p| p.get(field)?["description"].as_str());
        format!(
            "`{field}`{}",
            about.map(|a| format!(": {a}")).unwrap_or_default()
        )
    }

    /// The model's field, and where the tag and content wait until both are read.
    fn model_fields(&self) -> String {
        format!(
            "{} #[serde(flatten)] pub {f}: {n},\n#[serde(skip)] {f}_tag: Option<String>,\n#[serde(skip)] {f}_content: Option<serde_json::Map<String, serde_json::Value>>,\n",
            doc(&format!(
                "`{}` and `{}` together ({}).",
                self.tag, self.content, self.about
            )),
            f = self.field,
            n = self.name
        )
    }

    fn model_arms(&self) -> String {
        format!(
            "{:?} => crate::wire::read_into(&mut self.{f}_tag, value),\n{:?} => crate::wire::read_into(&mut self.{f}_content, value),\n",
            self.tag,
            self.content,
            f = self.field
        )
    }

    fn model_finish(&self) -> String {
        format!(
            "fn finish(&mut self) {{ self.{f} = {n}::from_wire(self.{f}_tag.take(), self.{f}_content.take()); }}",
            f = self.field,
            n = self.name
        )
    }

    /// The variant's Rust name and its fields' Rust names.
    fn rust(&self, kind: &str, fields: &[String]) -> (String, Vec<String>) {
        (
            variant(kind),
            fields.iter().map(|f| field_name(f)).collect(),
        )
    }

    fn enum_def(&self) -> String {
        let n = &self.name;
        let (mut decl, mut kind_arms, mut field_arms, mut wire_arms, mut debug_arms) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        );
        let mut table = String::new();
        for (kind, fields) in &self.variants {
            let (v, rust) = self.rust(kind, fields);
            let _ = write!(table, "({kind:?}, &{fields:?}),");
            if fields.is_empty() {
                let _ = write!(kind_arms, "{n}::{v} => {kind:?},");
                let _ = writeln!(decl, "/// `{kind}`: no {}.\n{v},", self.content);
                let _ = write!(field_arms, "{n}::{v} => Vec::new(),");
                let _ = write!(wire_arms, "{kind:?} => {n}::{v},");
                let _ = write!(debug_arms, "{n}::{v} => f.write_str({v:?}),");
                continue;
            }
            let members: String = fields
                .iter()
                .zip(&rust)
                .map(|(w, r)| format!("{} {r}: String,", doc(&self.field_about(w))))
                .collect();
            let _ = writeln!(decl, "/// `{kind}`.\n{v} {{ {members} }},");
            let _ = write!(kind_arms, "{n}::{v} {{ .. }} => {kind:?},");
            let binds = rust.join(", ");
            let pairs: String = fields
                .iter()
                .zip(&rust)
                .map(|(w, r)| format!("({w:?}, {r}.as_str()),"))
                .collect();
            let _ = write!(field_arms, "{n}::{v} {{ {binds} }} => vec![{pairs}],");
            let next: String = rust.iter().map(|r| format!("{r}: next(),")).collect();
            let _ = write!(wire_arms, "{kind:?} => {n}::{v} {{ {next} }},");
            let shown: String = fields
                .iter()
                .zip(&rust)
                .map(|(w, r)| {
                    if self.secret(w) {
                        format!(".field({r:?}, &\"<redacted>\")")
                    } else {
                        format!(".field({r:?}, {r})")
                    }
                })
                .collect();
            let seen: Vec<String> = fields
                .iter()
                .zip(&rust)
                .map(|(w, r)| {
                    if self.secret(w) {
                        format!("{r}: _")
                    } else {
                        r.clone()
                    }
                })
                .collect();
            let _ = write!(
                debug_arms,
                "{n}::{v} {{ {} }} => f.debug_struct({v:?}){shown}.finish(),",
                seen.join(", ")
            );
        }
        format!(
            r#"
{doc}
#[doc = "\n\nThe variants use the wire names of the {content} fields; [`{n}::fields`] lists them as `(name, value)` pairs."]
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum {n} {{
    {decl}
    /// What this crate cannot express as one of the variants above, kept as received so it
    /// is never lost: a `{tag}` it does not know (a server may enable new ones), none at all,
    /// or a known one whose `{content}` could not be read (then `{content}` is empty; the
    /// record's raw JSON has them). Forms cannot send it.
    Unknown {{
        /// The wire `{tag}`, or `None` when the server sent none.
        kind: Option<String>,
        /// The `{content}` object as received (empty when it was empty or unreadable).
        {content_rust}: serde_json::Map<String, serde_json::Value>,
    }},
}}

impl Default for {n} {{
    /// No `{tag}`, no `{content}`.
    fn default() -> Self {{
        {n}::Unknown {{ kind: None, {content_rust}: serde_json::Map::new() }}
    }}
}}

impl {n} {{
    /// Every `{tag}` the spec lists, with its `{content}` fields, in the spec's order.
    pub const VARIANTS: &'static [(&'static str, &'static [&'static str])] = &[{table}];

    /// The wire `{tag}`; `None` for one stored without it.
    pub fn kind(&self) -> Option<&str> {{
        Some(match self {{ {kind_arms} {n}::Unknown {{ kind, .. }} => return kind.as_deref() }})
    }}

    /// The `{content}` as `(field, value)` pairs, in the spec's order; for
    /// [`{n}::Unknown`], its text-valued fields.
    pub fn fields(&self) -> Vec<(&str, &str)> {{
        match self {{
            {field_arms}
            {n}::Unknown {{ {content_rust}, .. }} => {content_rust}.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))).collect(),
        }}
    }}

    /// The `{content}` fields of a listed `{tag}`; `None` for one the spec does not list.
    pub fn field_names(kind: &str) -> Option<&'static [&'static str]> {{
        {n}::VARIANTS.iter().find(|(k, _)| *k == kind).map(|(_, fields)| *fields)
    }}

    /// The variant of a record's `{tag}` and `{content}` (each read tolerantly), or
    /// [`{n}::Unknown`] with them as received.
    pub(crate) fn from_wire(kind: Option<String>, content: Option<serde_json::Map<String, serde_json::Value>>) -> Self {{
        match crate::wire::variant(kind, content, {n}::field_names) {{
            Ok((kind, values)) => {{
                let mut values = values.into_iter();
                let mut next = || values.next().unwrap_or_default();
                match kind.as_str() {{
                    {wire_arms}
                    _ => {n}::Unknown {{ kind: Some(kind), {content_rust}: serde_json::Map::new() }},
                }}
            }}
            Err((kind, {content_rust})) => {n}::Unknown {{ kind, {content_rust} }},
        }}
    }}
}}

impl std::fmt::Debug for {n} {{
    /// Every field, secrets shown as `<redacted>`; an unknown variant's field names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{
        match self {{
            {debug_arms}
            {n}::Unknown {{ kind, {content_rust} }} => f
                .debug_struct("Unknown")
                .field("kind", kind)
                .field({content:?}, &{content_rust}.keys().collect::<Vec<_>>())
                .finish(),
        }}
    }}
}}

impl serde::Serialize for {n} {{
    /// As the record holds it: `{tag}` and `{content}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry({tag:?}, &self.kind())?;
        match self {{
            {n}::Unknown {{ {content_rust}, .. }} => map.serialize_entry({content:?}, {content_rust})?,
            known => map.serialize_entry({content:?}, &crate::wire::Pairs(known.fields()))?,
        }}
        map.end()
    }}
}}
"#,
            doc = doc(&format!(
                "A record's `{}` with that `{}`'s `{}` ({}).",
                self.tag, self.tag, self.content, self.about
            )),
            tag = self.tag,
            content = self.content,
            content_rust = field_name(&self.content),
        )
    }

    /// The form's setter that takes the union: the tag and every content field it holds.
    fn form_setter(&self, tag: &Field, fields: &[Field]) -> Result<String> {
        let n = &self.name;
        let wrap = |required: bool, v: &str| {
            if required {
                v.to_owned()
            } else {
                format!("Some({v})")
            }
        };
        let mut arms = String::new();
        for (kind, wires) in self.variants.iter().filter(|(_, w)| !w.is_empty()) {
            let (v, rust) = self.rust(kind, wires);
            let mut body = String::new();
            for (wire, r) in wires.iter().zip(&rust) {
                let f = fields
                    .iter()
                    .find(|f| f.wire == wire)
                    .ok_or_else(|| format!("the form has no field {wire} of {n}::{v}"))?;
                let _ = write!(body, "self.{} = {};", f.rust, wrap(f.required, r));
            }
            let _ = write!(arms, "{n}::{v} {{ {} }} => {{ {body} }}", rust.join(", "));
        }
        let kind = wrap(
            tag.required,
            &format!("{}::from_wire(value.kind().unwrap_or_default())", tag.ty),
        );
        Ok(format!(
            "{} pub fn {}(mut self, value: {n}) -> Self {{ self.{} = {kind}; match value {{ {arms} _ => {{}} }} self }}",
            doc(&format!(
                "Sets `{}` and the {} fields of `value` (a [`{n}`]); the form's other fields are left as they are.",
                tag.wire, self.content
            )),
            self.field,
            tag.rust
        ))
    }

    /// The check that the fields of the form's tag are all given.
    /// The check that the form gives every content field of its tag and none of another's:
    /// one call with the form's content fields as data.
    fn form_check(&self, tag: &Field, fields: &[Field]) -> Result<String> {
        // The content fields in the spec's order, each once.
        let mut all: Vec<&String> = Vec::new();
        for wire in self.variants.iter().flat_map(|(_, w)| w) {
            if !all.contains(&wire) {
                all.push(wire);
            }
        }
        let mut given = String::new();
        for wire in all {
            let f = fields
                .iter()
                .find(|f| f.wire == wire)
                .ok_or_else(|| format!("the form has no field {wire} of {}", self.name))?;
            let value = if f.required {
                format!("Some(self.{}.as_str())", f.rust)
            } else {
                format!("self.{}.as_deref()", f.rust)
            };
            let _ = write!(given, "({wire:?}, {value}),");
        }
        let kind = if tag.required {
            format!("Some(&self.{})", tag.rust)
        } else {
            format!("self.{}.as_ref()", tag.rust)
        };
        Ok(format!(
            "if let Some(kind) = {kind} {{ crate::resources::check::variant(kind.as_str(), {}::field_names, &[{given}])?; }}",
            self.name
        ))
    }
}

/// The properties of the object a field holds (through `$ref`s and the branches of a
/// `oneOf`/`anyOf`: the first object with properties).
fn object_props<'a>(
    schema: &'a Value,
    schemas: &'a Map<String, Value>,
) -> Option<&'a Map<String, Value>> {
    let schema = match ref_name(schema) {
        Some(name) => schemas.get(name)?,
        None => schema,
    };
    if let Some(props) = schema["properties"].as_object() {
        return Some(props);
    }
    let branches = schema["oneOf"].as_array().or(schema["anyOf"].as_array())?;
    branches.iter().find_map(|b| object_props(b, schemas))
}

// ---------------------------------------------------------------------------------------
// Enums

fn string_enum(name: &str, schema: &Value) -> Result<String> {
    let values: Vec<&str> = schema["enum"]
        .as_array()
        .ok_or_else(|| format!("{name}: not an enum"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let variants: Vec<String> = values.iter().map(|v| variant(v)).collect();
    if variants.iter().any(|v| v == "Unknown") {
        return Err(format!(
            "{name}: a value named `unknown` clashes with `Unknown`"
        ));
    }
    let decl: String = values
        .iter()
        .zip(&variants)
        .map(|(v, id)| format!("/// `{v}`.\n{id},\n"))
        .collect();
    let arms: String = values
        .iter()
        .zip(&variants)
        .map(|(v, id)| format!("{name}::{id} => {v:?},"))
        .collect();
    let from: String = values
        .iter()
        .zip(&variants)
        .map(|(v, id)| format!("{v:?} => {name}::{id},"))
        .collect();
    let all: String = variants.iter().map(|id| format!("{name}::{id},")).collect();
    Ok(format!(
        r#"
{doc}
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum {name} {{
    {decl}
    /// A value the spec does not list (a newer server's, or one the web UI wrote), as sent.
    /// Read from records; forms refuse to send it.
    Unknown(String),
}}

impl {name} {{
    /// Every value the spec lists, in its order.
    pub const ALL: &'static [{name}] = &[{all}];

    /// The wire value.
    pub fn as_str(&self) -> &str {{
        match self {{ {arms} {name}::Unknown(other) => other }}
    }}

    /// The value with this wire name; any other text is [`{name}::Unknown`].
    pub fn from_wire(text: &str) -> Self {{
        match text {{ {from} other => {name}::Unknown(other.to_owned()) }}
    }}
}}

impl std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{
        f.write_str(self.as_str())
    }}
}}

impl std::str::FromStr for {name} {{
    type Err = crate::Error;

    /// The listed value with this wire name; any other is an error naming the values.
    fn from_str(s: &str) -> Result<Self, crate::Error> {{
        crate::resources::check::parse({name:?}, s, {name}::ALL, {name}::as_str)
    }}
}}

impl serde::Serialize for {name} {{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{
        serializer.serialize_str(self.as_str())
    }}
}}

impl crate::wire::Tolerant for {name} {{
    fn read<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<Self>, D::Error> {{
        Ok(<String as crate::wire::Tolerant>::read(value)?.map(|text| {name}::from_wire(&text)))
    }}
}}

impl crate::resources::check::Wire for {name} {{
    fn wire(&self) -> String {{
        self.as_str().to_owned()
    }}
}}

#[cfg(feature = "catalog")]
impl crate::catalog::FieldValue for {name} {{
    fn parse_field(text: &str) -> Result<Self, String> {{
        {name}::ALL
            .iter()
            .find(|v| v.as_str() == text.trim())
            .cloned()
            .ok_or_else(|| crate::catalog::one_of({name}::ALL.iter().map({name}::as_str)))
    }}
}}
"#,
        doc = doc(schema["description"].as_str().unwrap_or(name)),
    ))
}

/// A wire value as a variant name: `website` → `Website`, `referrer_host` → `ReferrerHost`,
/// `HEAD` → `Head`, `ipv4` → `Ipv4`.
fn variant(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'V');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Doc comments

/// A `#[doc]` attribute for spec text: outside code spans, `[`, `]`, `<` and `>` are escaped
/// and bare URLs wrapped, so rustdoc reads the text as the spec wrote it (no broken links,
/// no stray HTML).
fn doc(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let words: Vec<String> = part
            .split(' ')
            .map(|w| {
                if w.starts_with("http://") || w.starts_with("https://") {
                    format!("<{}>", w.trim_end_matches(['.', ',', ')', ';']))
                        + &w[w.trim_end_matches(['.', ',', ')', ';']).len()..]
                } else {
                    w.replace('[', "\\[")
                        .replace(']', "\\]")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                }
            })
            .collect();
        out.push_str(&words.join(" "));
    }
    format!("#[doc = {:?}]", format!(" {}", out.trim()))
}
