//! The template model: logical ids, intrinsic functions, `Value<T>`, the shared `Tag`, and
//! templates.

pub mod intrinsic;
pub mod logical_id;
pub mod tag;
pub mod template;
pub mod value;

pub use intrinsic::{Expr, Intrinsic, Pseudo};
pub use logical_id::LogicalId;
pub use tag::Tag;
pub use template::{Export, Handle, Output, Parameter, Policy, Resource, Template, TemplateError};
pub use value::Value;
