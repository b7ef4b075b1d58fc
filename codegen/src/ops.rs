//! The operations to generate markers for: the operations (see `Config::operations`) whose request and response
//! elements are both generated, each with the Rust types of its body elements, the request
//! headers its binding declares, and the shape of its response.

use crate::model::{
    ChoiceRef, ElementDef, FieldDef, FieldKind, ListDef, Model, Occurs, StructDef, TypeRef,
};
use crate::wsdl;
use crate::{Error, NS_MESSAGES, NS_TYPES};

/// Operations whose request holds one list of items but whose response holds one message
/// for all of them: the schema cannot tell these from the batch operations that answer
/// item by item, the protocol documentation does.
const UNCOUNTED: [&str; 3] = ["CreateFolderPath", "GetStreamingEvents", "SearchMailboxes"];

/// An operation as the renderer writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationDef {
    /// The operation's name.
    pub name: String,
    /// Its SOAPAction.
    pub soap_action: String,
    /// The request element's local name (messages namespace).
    pub request_element: String,
    /// The response element's local name (messages namespace).
    pub response_element: String,
    /// The request element's type.
    pub request: TypeRef,
    /// The response element's type.
    pub response: TypeRef,
    /// The local names of the request header elements (types namespace) the binding declares.
    pub headers: Vec<String>,
    /// What the response holds.
    pub shape: Shape,
    /// Whether `Services.wsdl` binds it.
    pub in_wsdl: bool,
}

/// The shape of an operation's response.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// The response element is one response message (`m:ResponseMessageType`).
    Single,
    /// The response holds `ResponseMessages`: one message per requested item, each the
    /// element `element` of the choice `choice` (in the list `field` of the response), typed
    /// `item`.
    Messages {
        /// The response's field holding the list of `ResponseMessages`.
        field: String,
        /// The choice enum of the messages.
        choice: ChoiceRef,
        /// The variant for this operation's messages.
        variant: String,
        /// The element name of this operation's messages.
        element: String,
        /// The messages' type.
        item: TypeRef,
        /// The request's fields leading to the list whose length is the number of messages
        /// expected, when the request has one list of items.
        count: Option<Vec<String>>,
    },
    /// Another shape; `status` names a field holding a response message that stands for the
    /// call as a whole, if there is one.
    Other {
        /// The field, with whether it is optional.
        status: Option<(String, bool)>,
    },
}

/// The operations of `wsdl` that `model` generates both body elements of.
pub fn operations(model: &Model, wsdl: &[wsdl::Operation]) -> Result<Vec<OperationDef>, Error> {
    let Some(messages) = model.modules.iter().position(|m| m.uri == NS_MESSAGES) else {
        return Ok(Vec::new());
    };
    let root = |local: &str| {
        model.modules[messages]
            .roots
            .iter()
            .find(|r| r.xml == local)
            .map(|r| r.ty.clone())
    };
    let mut out = Vec::new();
    for op in wsdl {
        if op.request.namespace != NS_MESSAGES || op.response.namespace != NS_MESSAGES {
            return Err(Error::Unsupported(format!(
                "operation {}: a body element outside the messages namespace",
                op.name
            )));
        }
        let (Some(request), Some(response)) = (root(&op.request.local), root(&op.response.local))
        else {
            continue;
        };
        let mut headers = Vec::new();
        for h in &op.request_headers {
            if h.namespace != NS_TYPES {
                return Err(Error::Unsupported(format!(
                    "operation {}: header {} outside the types namespace",
                    op.name, h.local
                )));
            }
            headers.push(h.local.clone());
        }
        let shape = shape(model, &op.name, &request, &response)?;
        out.push(OperationDef {
            name: op.name.clone(),
            soap_action: op.soap_action.clone(),
            request_element: op.request.local.clone(),
            response_element: op.response.local.clone(),
            request,
            response,
            headers,
            shape,
            in_wsdl: op.in_wsdl,
        });
    }
    Ok(out)
}

/// Whether `s` has the members of `m:ResponseMessageType` under the names the runtime's
/// `response_message!` reads: a required `ResponseClass` attribute (`response_class`), the
/// optional `MessageText`, `ResponseCode` and `DescriptiveLinkKey` elements
/// (`message_text`, `response_code`, `descriptive_link_key`), and the optional `MessageXml`
/// (`message_xml`), whose type holds its elements as `xs:any` (`any`). A type that extends
/// `m:ResponseMessageType` has them so: the base's members come first and keep their names.
pub fn is_response_message(model: &Model, s: &StructDef) -> bool {
    let class = s
        .attributes
        .iter()
        .any(|a| a.xml == "ResponseClass" && a.field == "response_class" && a.required);
    let optional = |xml: &str, name: &str| {
        element_field(s, xml)
            .filter(|(f, _)| f.name == name && f.occurs == Occurs::Optional)
            .map(|(_, e)| e)
    };
    let any = |e: &ElementDef| {
        model.struct_def(&e.ty).is_some_and(|x| {
            x.fields
                .iter()
                .any(|f| f.name == "any" && matches!(f.kind, FieldKind::Any))
        })
    };
    class
        && optional("MessageText", "message_text").is_some()
        && optional("ResponseCode", "response_code").is_some()
        && optional("DescriptiveLinkKey", "descriptive_link_key").is_some()
        && optional("MessageXml", "message_xml").is_some_and(any)
}

/// The field of `s` holding the element `xml`, with the element.
pub fn element_field<'s>(s: &'s StructDef, xml: &str) -> Option<(&'s FieldDef, &'s ElementDef)> {
    s.fields.iter().find_map(|f| match &f.kind {
        FieldKind::Element(e) if e.xml == xml => Some((f, e)),
        _ => None,
    })
}

fn shape(model: &Model, op: &str, request: &TypeRef, response: &TypeRef) -> Result<Shape, Error> {
    let Some(body) = model.struct_def(response) else {
        return Ok(Shape::Other { status: None });
    };
    if is_response_message(model, body) {
        return Ok(Shape::Single);
    }
    if let Some((field, e)) = element_field(body, "ResponseMessages") {
        let element = format!("{op}ResponseMessage");
        let choice = match e.list.as_deref() {
            Some(ListDef {
                item: FieldKind::Choice(c),
                ..
            }) if field.occurs == Occurs::Required => Some(c.clone()),
            _ => None,
        };
        let found = choice.and_then(|choice| {
            let def = model.choice_def(&choice)?;
            let variant = def
                .variants
                .iter()
                .find(|v| v.element.as_ref().is_some_and(|e| e.xml == element))?;
            let item = variant.element.as_ref()?.ty.clone();
            Some((choice.clone(), variant.name.clone(), item))
        });
        // Without an element of its own (SetUserPhoto), the response is returned as it is.
        let Some((choice, variant, item)) = found else {
            return Ok(Shape::Other { status: None });
        };
        return Ok(Shape::Messages {
            field: field.name.clone(),
            choice,
            variant,
            element,
            item,
            count: if UNCOUNTED.contains(&op) {
                None
            } else {
                model.struct_def(request).and_then(count_path)
            },
        });
    }
    let status = body.fields.iter().find_map(|f| match &f.kind {
        FieldKind::Element(e)
            if f.occurs != Occurs::Repeated
                && model
                    .struct_def(&e.ty)
                    .is_some_and(|m| is_response_message(model, m)) =>
        {
            Some((f.name.clone(), f.occurs == Occurs::Optional))
        }
        _ => None,
    });
    Ok(Shape::Other { status })
}

/// The path to the list of requested items: the request's one required
/// `NonEmptyArrayOf…` list.
fn count_path(request: &StructDef) -> Option<Vec<String>> {
    let lists: Vec<&FieldDef> = request
        .fields
        .iter()
        .filter(|f| f.occurs == Occurs::Required)
        .filter(|f| match &f.kind {
            FieldKind::Element(ElementDef {
                list: Some(list), ..
            }) => list
                .xsd
                .split_once(':')
                .is_some_and(|(_, n)| n.starts_with("NonEmptyArrayOf")),
            _ => false,
        })
        .collect();
    match lists.as_slice() {
        [field] => Some(vec![field.name.clone()]),
        _ => None,
    }
}
