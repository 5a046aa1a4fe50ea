//! Typed CloudFormation resources, generated from the vendored schemas in `schema/`.
//!
//! Everything below `src/resources/` except this file is written by `cfnc-codegen`
//! (`scripts/regen`) and must not be edited by hand.
//!
//! Layout: `cfnc::resources::<service>::<resource>` holds one type (`s3::bucket`), with the
//! resource struct (`Bucket`), its property types (`BucketEncryption`, enums such as
//! `SseAlgorithm`), a builder for each (`BucketBuilder`) and its attribute enum
//! (`BucketAttr`); `cfnc::resources::<service>` re-exports each resource struct and attribute
//! enum. Each service is behind the cargo feature named like its module (`s3`, `ec2`, ...):
//! the default features are the platform's services, `all` is every one.
//!
//! # Building a resource
//!
//! Every struct has `X::builder()`: one setter per property, named like the property, that
//! takes anything converting into its [`Value`](crate::model::Value) (a literal, `"text"`,
//! `true`, `300`, a list, or an intrinsic such as a [`Handle`](crate::model::Handle)'s
//! `r#ref()`/`get_att()` or `Value::sub`); optional properties are simply not set. `build()`
//! compiles once every required property is set, whatever the order; tags are the one
//! [`Tag`] type of every resource.
//!
//! ```
//! use cfnc::model::{Tag, Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr, BucketPolicy, bucket};
//!
//! let mut t = Template::new("example");
//! let key = t.add("Key", Key::builder().enable_key_rotation(true).build()).unwrap();
//! let encryption = bucket::ServerSideEncryptionRule::builder()
//!     .server_side_encryption_by_default(
//!         bucket::ServerSideEncryptionByDefault::builder()
//!             .sse_algorithm(bucket::SseAlgorithm::AwsKms)
//!             .kms_master_key_id(key.get_att(KeyAttr::Arn))
//!             .build(),
//!     )
//!     .build();
//! let data = t
//!     .add(
//!         "Bucket",
//!         Bucket::builder()
//!             .bucket_encryption(
//!                 bucket::BucketEncryption::builder().server_side_encryption_configuration([encryption]).build(),
//!             )
//!             .tags([Tag::new("Name", "data")])
//!             .build(),
//!     )
//!     .unwrap();
//! let policy = serde_json::json!({"Version": "2012-10-17", "Statement": []});
//! t.add("Policy", BucketPolicy::builder().bucket(data.r#ref()).policy_document(policy).build()).unwrap();
//! let arn: Value<String> = data.get_att(BucketAttr::Arn);
//! # assert_eq!(serde_json::to_value(&arn).unwrap(), serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
//! ```
//!
//! A required property left out does not compile. Without `.policy_document(..)` the bucket
//! policy above fails at `build()` with (rustc's words)
//!
//! ```text
//! error[E0277]: required property not set: `policy_document`
//!     |     t.add("Policy", BucketPolicy::builder().bucket(data.r#ref()).build()).unwrap();
//!     |                                                                  ^^^^^ this builder still misses the required property `policy_document`
//!     = help: the trait `Required<Expr>` is not implemented for `policy_document`
//!     = note: call the builder's setter named like it before `build()`
//! ```
//!
//! (`policy_document` is the marker type [`missing::policy_document`]; rustc prints its full
//! path when the short name is ambiguous):
//!
//! ```compile_fail,E0277
//! use cfnc::model::Template;
//! use cfnc::resources::s3::{Bucket, BucketPolicy};
//!
//! let mut t = Template::new("example");
//! let data = t.add("Bucket", Bucket::builder().build()).unwrap();
//! t.add("Policy", BucketPolicy::builder().bucket(data.r#ref()).build()).unwrap();
//! ```
//!
//! Positional constructors are gone, so two same-typed required properties cannot be swapped:
//! each is set by name (`Range::builder().start_time(..).end_time(..)`).
//!
//! # Attributes
//!
//! A typed resource only names the attributes its type has: `Fn::GetAtt` goes through a
//! [`Handle`](crate::model::Handle) and takes the type's own attribute enum.
//!
//! ```
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::builder().build()).unwrap();
//! let _key = t.add("Key", Key::builder().build()).unwrap();
//! let arn: Value<String> = bucket.get_att(BucketAttr::Arn);
//! # assert_eq!(serde_json::to_value(&arn).unwrap(), serde_json::json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
//! ```
//!
//! An attribute the type does not have does not compile (`AWS::S3::Bucket` has no `KeyId`):
//! "error\[E0599\]: no variant or associated item named `KeyId` found for enum `BucketAttr`":
//!
//! ```compile_fail,E0599
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::builder().build()).unwrap();
//! let _key = t.add("Key", Key::builder().build()).unwrap();
//! let arn: Value<String> = bucket.get_att(BucketAttr::KeyId);
//! ```
//!
//! nor does another type's attribute (a KMS key's `Arn` asked of a bucket): "error\[E0308\]:
//! mismatched types: expected `BucketAttr`, found `KeyAttr`":
//!
//! ```compile_fail,E0308
//! use cfnc::model::{Template, Value};
//! use cfnc::resources::kms::{Key, KeyAttr};
//! use cfnc::resources::s3::{Bucket, BucketAttr};
//!
//! let mut t = Template::new("example");
//! let bucket = t.add("Bucket", Bucket::builder().build()).unwrap();
//! let _key = t.add("Key", Key::builder().build()).unwrap();
//! let arn: Value<String> = bucket.get_att(KeyAttr::Arn);
//! ```
//!
//! (Stable rustdoc does not check the error codes after `compile_fail`; the messages above
//! are what rustc prints.)

/// The optional-property setters of a generated builder, one `field: Type` each:
/// `pub fn field(mut self, field: impl Into<Type>) -> Self` stores `Some(value)` in the
/// builder's field of that name (`optional_setters!(0; ..)`: in the struct the builder wraps).
/// A macro only to keep the ~1,900 generated modules small (the setters are the same code for
/// every property); what it expands to is what `cargo doc` shows.
macro_rules! optional_setters {
    (0; $($field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets the optional `", stringify!($field), "` (see the field of that name).")]
            pub fn $field(mut self, $field: impl Into<$ty>) -> Self {
                self.0.$field = Some($field.into());
                self
            }
        )*
    };
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets the optional `", stringify!($field), "` (see the field of that name).")]
            pub fn $field(mut self, $field: impl Into<$ty>) -> Self {
                self.$field = Some($field.into());
                self
            }
        )*
    };
}

include!("generated.rs");

/// With the `deserialize` feature, a typed model read back from its own JSON is the same
/// model (`scripts/test` runs this with `--features deserialize`).
#[cfg(all(test, feature = "deserialize", feature = "s3", feature = "kms"))]
mod round_trip {
    use crate::model::{Template, Value};
    use crate::resources::kms::{Key, KeyAttr};
    use crate::resources::s3::Bucket;
    use crate::resources::s3::bucket::{
        BucketEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm,
        VersioningConfiguration, VersioningConfigurationStatus,
    };

    #[test]
    fn a_typed_bucket_round_trips_through_its_model() {
        let mut t = Template::default();
        let key = t.add("Key", Key::builder().enable_key_rotation(true).build()).unwrap();
        let bucket = Bucket::builder()
            .bucket_name(Value::sub("data-${AWS::AccountId}"))
            .bucket_encryption(
                BucketEncryption::builder()
                    .server_side_encryption_configuration([ServerSideEncryptionRule::builder()
                        .bucket_key_enabled(true)
                        .server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(SseAlgorithm::AwsKms)
                                .kms_master_key_id(key.get_att(KeyAttr::Arn))
                                .build(),
                        )
                        .build()])
                    .build(),
            )
            .versioning_configuration(
                VersioningConfiguration::builder().status(VersioningConfigurationStatus::Enabled).build(),
            )
            .build();
        let json = serde_json::to_value(&bucket).unwrap();
        let back: Bucket = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
        assert_eq!(
            json["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["BucketKeyEnabled"],
            true
        );
    }
}

pub use crate::model::Tag;

/// A required property's state in a builder once it is set: its `Value<T>`. The builders'
/// `build()` requires it of every required property, so a missing one is a compile error
/// that names it (`missing::<setter>` is the state before the setter is called).
#[diagnostic::on_unimplemented(
    message = "required property not set: `{Self}`",
    label = "this builder still misses the required property `{Self}`",
    note = "call the builder's setter named like it before `build()`"
)]
pub trait Required<T> {
    /// The property's value.
    fn value(self) -> crate::model::Value<T>;
}

impl<T> Required<T> for crate::model::Value<T> {
    fn value(self) -> crate::model::Value<T> {
        self
    }
}

/// A CloudFormation resource type with a generated typed model.
pub trait ResourceType: serde::Serialize {
    /// `AWS::S3::Bucket`.
    const TYPE_NAME: &'static str;
    /// What `Ref` returns, as documented by the schema's primary identifier.
    const REF_RETURNS: &'static str;
    /// JSON pointers (`/properties/BucketName`) of create-only properties: changing one
    /// replaces the resource.
    const CREATE_ONLY: &'static [&'static str];
    /// JSON pointers of conditionally create-only properties: changing one may replace the
    /// resource, depending on the change.
    const CONDITIONAL_CREATE_ONLY: &'static [&'static str];
    /// The attributes `Fn::GetAtt` accepts.
    type Attr: Attribute;
}

/// One `Fn::GetAtt` attribute of a resource type.
pub trait Attribute: Copy + 'static {
    /// Every attribute of the type.
    const ALL: &'static [Self];
    /// The attribute name as CloudFormation spells it (`Arn`, `Endpoint.Address`).
    fn name(self) -> &'static str;
}

/// Something done for each generated resource type (see [`visit_all`]).
pub trait TypeVisitor {
    fn visit<R: ResourceType>(&mut self);
}
