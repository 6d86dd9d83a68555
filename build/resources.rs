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
        params: Vec<(String, Vec<String>)>,
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

/// A resource: its path, id parameter, model schema and operations.
struct Resource {
    path: String,
    tag_doc: String,
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
    let mut enums = BTreeSet::new();
    for r in &resources {
        out += &model(&r.model, &schemas[&r.model], schemas)?;
        out += &impls(r, schemas)?;
        for op in &r.ops {
            let (op_id, form, create) = match op {
                Op::Create { id, form } => (id, form, true),
                Op::Update { id, form } => (id, form, false),
                _ => continue,
            };
            out += &form_struct(r, op_id, form, create, schemas, &mut enums)?;
        }
    }
    enums.extend(query_enums(spec));
    for name in &enums {
        out += &string_enum(name, &schemas[name])?;
    }
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

fn tag_description(spec: &Value, tag: Option<&str>) -> String {
    spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"].as_str() == tag)
        .and_then(|t| t["description"].as_str())
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
fn list_params(spec: &Value, item: &Value, op: &Value) -> Result<Vec<(String, Vec<String>)>> {
    let declared = item["parameters"]
        .as_array()
        .into_iter()
        .chain(op["parameters"].as_array())
        .flatten();
    let mut out = Vec::new();
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
        let values = schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        out.push((name.to_owned(), values));
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

/// How a record field is read (a tolerant type of `crate::wire`) and shown.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
    When,
    Object,
    Json,
}

impl Kind {
    fn wire(self) -> &'static str {
        match self {
            Kind::Int => "crate::wire::Int",
            Kind::Float => "crate::wire::Float",
            Kind::Bool => "crate::wire::Flag",
            Kind::Text => "crate::wire::Text",
            Kind::When => "crate::wire::When",
            Kind::Object => "crate::wire::JsonObject",
            Kind::Json => "crate::wire::Json",
        }
    }

    fn public(self) -> &'static str {
        match self {
            Kind::Int => "Option<i64>",
            Kind::Float => "Option<f64>",
            Kind::Bool => "Option<bool>",
            Kind::Text => "Option<String>",
            Kind::When => "Option<chrono::DateTime<chrono::Utc>>",
            Kind::Object => "Option<serde_json::Map<String, serde_json::Value>>",
            Kind::Json => "Option<serde_json::Value>",
        }
    }

    /// The public value from the tolerant one (`f.<field>`).
    fn read(self, field: &str) -> String {
        match self {
            Kind::Bool => format!("f.{field}.0.map(|n| n != 0)"),
            _ => format!("f.{field}.0"),
        }
    }
}

fn kind_of(schema: &Value, schemas: &Map<String, Value>) -> Kind {
    if let Some(name) = ref_name(schema) {
        if name == "NullableDatetime" {
            return Kind::When;
        }
        return schemas
            .get(name)
            .map_or(Kind::Json, |s| kind_of(s, schemas));
    }
    let branches: Vec<Kind> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .map(|b| kind_of(b, schemas))
        .collect();
    if !branches.is_empty() {
        return if branches.contains(&Kind::Bool) {
            Kind::Bool
        } else if branches.contains(&Kind::Object) {
            Kind::Object
        } else if branches.iter().all(|k| *k == Kind::Int) {
            Kind::Int
        } else if branches
            .iter()
            .all(|k| matches!(k, Kind::Int | Kind::Float))
        {
            Kind::Float
        } else if branches
            .iter()
            .all(|k| matches!(k, Kind::Int | Kind::Float | Kind::Text))
        {
            Kind::Text
        } else {
            Kind::Json
        };
    }
    match schema["type"].as_str() {
        Some("integer") => Kind::Int,
        Some("number") => Kind::Float,
        Some("boolean") => Kind::Bool,
        Some("string") => Kind::Text,
        Some("object") => Kind::Object,
        _ => Kind::Json,
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

fn model(name: &str, schema: &Value, schemas: &Map<String, Value>) -> Result<String> {
    let what = str_at(schema, "x-bitpeak-record")?;
    let props = schema["properties"]
        .as_object()
        .ok_or_else(|| format!("{name}: no properties"))?;
    let has_id = props.contains_key("id");
    let mut fields = String::new();
    let mut wire = String::new();
    let mut init = String::new();
    let mut debug = String::new();
    for (prop, s) in props {
        let rust = field_name(prop);
        let kind = kind_of(s, schemas);
        let _ = writeln!(
            wire,
            "#[serde(default, rename = {prop:?})] {rust}: {},",
            kind.wire()
        );
        if prop == "id" {
            continue;
        }
        let when = if kind == Kind::When {
            ", serialize_with = \"crate::wire::serialize_when\""
        } else {
            ""
        };
        let _ = writeln!(
            fields,
            "{} #[serde(rename = {prop:?}{when})] pub {rust}: {},",
            doc(&field_doc(prop, s, schemas)),
            kind.public()
        );
        let _ = writeln!(init, "{rust}: {},", kind.read(&rust));
        let secret = s["x-bitpeak-secret"] == true || s["format"] == "password";
        let _ = if secret {
            writeln!(
                debug,
                ".field({prop:?}, &self.{rust}.as_ref().map(|_| \"<redacted>\"))"
            )
        } else {
            writeln!(debug, ".field({prop:?}, &self.{rust})")
        };
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
#[derive(Clone, PartialEq, serde::Serialize)]
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

#[derive(serde::Deserialize)]
struct {name}Fields {{
    {wire}
}}

impl crate::record::FromRecord for {name} {{
    const WHAT: &'static str = {what:?};

    fn from_record(raw: crate::wire::RawRecord) -> Result<Self, crate::record::UnreadableRecord> {{
        let read = raw
            .fields::<{name}Fields>()
            {read_id};
        let (id, f) = match read {{
            Ok(read) => read,
            Err(why) => return Err(crate::record::UnreadableRecord::new(raw, why)),
        }};
        {id_unused}
        Ok({name} {{ {id_init} {init} raw }})
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
        read_id = if has_id {
            ".and_then(|f| Ok((crate::record::record_id(&f.id)?, f)))"
        } else {
            ".map(|f| ((), f))"
        },
        id_unused = if has_id { "" } else { "let () = id;" },
        id_init = if has_id { "id," } else { "" },
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
    ))
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
                let params: String = params
                    .iter()
                    .map(|(name, values)| {
                        format!("crate::resource::Param {{ name: {name:?}, values: &{values:?} }},")
                    })
                    .collect();
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
                            format!("crate::resource::Resend {{ field: {wire:?}, from: {from:?} }},")
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
        "/// Every generated resource, in the spec's path order.\npub(crate) static CATALOG: &[crate::catalog::ResourceInfo] = &[\n",
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
        let op = |name: &str, ty: &str| {
            format!("{name}: Some(crate::catalog::{name}::<{m}> as crate::catalog::{ty})")
        };
        let form_fields = |form: &str| {
            format!(
                "Some(<{} as crate::catalog::FromFields>::FIELDS)",
                form_name(form)
            )
        };
        for o in &r.ops {
            match o {
                Op::List { .. } => {
                    ops.push(op("list", "ListFn"));
                    ops.push(op("all", "AllFn"));
                    params = format!("<{m} as crate::resource::List>::PARAMS");
                }
                Op::ListIn { .. } => ops.push(op("list_in", "ListInFn")),
                Op::One { .. } => ops.push(op("one", "OneFn")),
                Op::Get { .. } => ops.push(op("get", "GetFn")),
                Op::Create { form, .. } => {
                    ops.push(op("create", "CreateFn"));
                    ops.push(op("check_create", "CheckFn"));
                    create = form_fields(form);
                }
                Op::Update { form, .. } => {
                    ops.push(op("update", "UpdateFn"));
                    update = form_fields(form);
                }
                Op::Delete { .. } => ops.push(op("delete", "DeleteFn")),
            }
        }
        let _ = writeln!(
            out,
            "crate::catalog::ResourceInfo {{ path: {:?}, about: {:?}, id: {:?}, fields: &{fields:?}, secrets: &{secrets:?}, params: {params}, create: {create}, update: {update}, ops: crate::catalog::Ops {{ {}, ..crate::catalog::Ops::NONE }} }},",
            r.path,
            r.tag_doc,
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

fn properties<'a>(
    form: &str,
    schemas: &'a Map<String, Value>,
) -> Result<Vec<(&'a str, &'a Value)>> {
    let props = schemas
        .get(form)
        .and_then(|s| s["properties"].as_object())
        .ok_or_else(|| format!("{form}: a form schema must be a flat object with properties"))?;
    Ok(props.iter().map(|(k, v)| (k.as_str(), v)).collect())
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
    let is_flag = element["type"] == "integer"
        && element["enum"].as_array().is_some_and(|e| {
            e.len() == 2 && e.contains(&Value::from(0)) && e.contains(&Value::from(1))
        });
    let ty = match (element["type"].as_str(), named) {
        (Some("string"), Some(name)) if element["enum"].is_array() => {
            enums.insert(name.to_owned());
            name.to_owned()
        }
        (Some("string"), _) => "String".to_owned(),
        (Some("integer"), _) if is_flag => "bool".to_owned(),
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

    /// The field as `crate::catalog::FieldInfo` data.
    fn info(&self) -> String {
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
        format!(
            "crate::catalog::FieldInfo {{ name: {:?}, kind: crate::catalog::FieldKind::{kind}, list: {}, required: {}, values: &{values:?}, about: {about:?}, stored: {}, refers: {}, secret: {secret} }},",
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
        }
        if self.ty == "i64" {
            if let Some(values) = e["enum"].as_array() {
                let values: Vec<i64> = values.iter().filter_map(Value::as_i64).collect();
                let _ = write!(
                    out,
                    "crate::resources::check::int_one_of({w:?}, *v, &{values:?})?;"
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
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let fields = properties(form, schemas)?
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
    for f in &fields {
        infos.push_str(&f.info());
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
        if let Some(from) = f.schema["x-bitpeak-resend"].as_str() {
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
// Enums

fn string_enum(name: &str, schema: &Value) -> Result<String> {
    let values: Vec<&str> = schema["enum"]
        .as_array()
        .ok_or_else(|| format!("{name}: not an enum"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let variants: Vec<String> = values.iter().map(|v| variant(v)).collect();
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
    let all: String = variants.iter().map(|id| format!("{name}::{id},")).collect();
    Ok(format!(
        r#"
{doc}
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum {name} {{
    {decl}
}}

impl {name} {{
    /// Every value, in the spec's order.
    pub const ALL: &'static [{name}] = &[{all}];

    /// The wire value.
    pub fn as_str(self) -> &'static str {{
        match self {{ {arms} }}
    }}
}}

impl std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{
        f.write_str(self.as_str())
    }}
}}

impl std::str::FromStr for {name} {{
    type Err = crate::Error;

    /// The value with this wire name.
    fn from_str(s: &str) -> Result<Self, crate::Error> {{
        crate::resources::check::parse({name:?}, s, {name}::ALL, |v| v.as_str())
    }}
}}

impl crate::resources::check::Wire for {name} {{
    fn wire(&self) -> String {{
        self.as_str().to_owned()
    }}
}}

impl crate::catalog::FieldValue for {name} {{
    fn parse_field(text: &str) -> Result<Self, String> {{
        {name}::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == text.trim())
            .ok_or_else(|| crate::catalog::one_of({name}::ALL.iter().map(|v| v.as_str())))
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
