//! serde `Serialize` of the generated types without a derive per type: each type describes
//! itself once, as a [`Value`] ([`Member`], and [`Fields`] for a struct's members), and one
//! function per serializer ([`serialize`]) writes any value. The output is what serde's
//! derive gives such types: members by their Rust names in order, `None` and empty lists of
//! their own left out, choices as newtype variants, enumeration values as their text. The
//! derive wrote one `serialize` per type (for each serializer), about a tenth of the whole
//! schema's build memory; a type's description here is `#[inline]`, so that it is compiled
//! where it is used.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{AnyElement, Base64Binary, Date, DateTime, Duration, HexBinary, Text, Time};

/// A value as serde writes it.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    /// Nothing: a member left out.
    Absent,
    /// Text, or an enumeration value's text.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// An `i8`.
    I8(i8),
    /// An `i16`.
    I16(i16),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// A `u8`.
    U8(u8),
    /// A `u16`.
    U16(u16),
    /// A `u32`.
    U32(u32),
    /// A `u64`.
    U64(u64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
    /// A struct: its name and its members.
    Struct(&'static str, &'a dyn Fields),
    /// A newtype variant: the enum's name, the variant's index and name, its value.
    Variant(&'static str, u32, &'static str, &'a dyn Member),
    /// A list.
    Seq(&'a dyn Sequence),
    /// Anything else, through its own `Serialize`.
    Other(&'a dyn erased_serde::Serialize),
}

impl std::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Absent => f.write_str("Absent"),
            Value::Str(v) => write!(f, "Str({v:?})"),
            Value::Struct(name, _) => write!(f, "Struct({name})"),
            Value::Variant(name, _, variant, _) => write!(f, "Variant({name}::{variant})"),
            Value::Seq(items) => write!(f, "Seq({} items)", items.len()),
            Value::Other(_) => f.write_str("Other"),
            _ => f.write_str("Number"),
        }
    }
}

/// The members of a generated struct.
pub trait Fields {
    /// Hands each member to `f`, in order: its name (a raw identifier's with its `r#`) and
    /// its value.
    fn members(&self, f: &mut dyn FnMut(&'static str, Value<'_>));
}

/// A list's items, one at a time.
pub trait Sequence {
    /// How many.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The item at `index` (below `len`).
    fn item(&self, index: usize) -> Value<'_>;
}

/// What a member of a generated type holds, as a [`Value`].
pub trait Member {
    /// The value.
    fn value(&self) -> Value<'_>;
}

/// The value of a list member that is left out when empty.
// A `Vec`, not a slice: a slice cannot be made a trait object.
#[allow(clippy::ptr_arg)]
pub fn listed<T: Member>(items: &Vec<T>) -> Value<'_> {
    match items.is_empty() {
        true => Value::Absent,
        false => Value::Seq(items),
    }
}

/// Writes `value` with `s`.
pub fn serialize<S: Serializer>(s: S, value: &dyn Member) -> Result<S::Ok, S::Error> {
    write(s, value.value())
}

/// Writes `v` with `s`.
fn write<S: Serializer>(s: S, v: Value<'_>) -> Result<S::Ok, S::Error> {
    match v {
        Value::Absent => s.serialize_none(),
        Value::Str(v) => s.serialize_str(v),
        Value::Bool(v) => s.serialize_bool(v),
        Value::I8(v) => s.serialize_i8(v),
        Value::I16(v) => s.serialize_i16(v),
        Value::I32(v) => s.serialize_i32(v),
        Value::I64(v) => s.serialize_i64(v),
        Value::U8(v) => s.serialize_u8(v),
        Value::U16(v) => s.serialize_u16(v),
        Value::U32(v) => s.serialize_u32(v),
        Value::U64(v) => s.serialize_u64(v),
        Value::F32(v) => s.serialize_f32(v),
        Value::F64(v) => s.serialize_f64(v),
        Value::Struct(name, fields) => {
            let mut present = 0;
            fields.members(&mut |_, value| {
                present += usize::from(!matches!(value, Value::Absent));
            });
            let mut state = s.serialize_struct(name, present)?;
            let mut written = Ok(());
            fields.members(&mut |key, value| {
                let key = key.strip_prefix("r#").unwrap_or(key);
                if written.is_ok() {
                    written = match value {
                        Value::Absent => state.skip_field(key),
                        value => state.serialize_field(key, &Written(value)),
                    };
                }
            });
            written?;
            state.end()
        }
        Value::Variant(name, index, variant, value) => {
            s.serialize_newtype_variant(name, index, variant, &Written(value.value()))
        }
        Value::Seq(items) => {
            let mut seq = s.serialize_seq(Some(items.len()))?;
            for i in 0..items.len() {
                seq.serialize_element(&Written(items.item(i)))?;
            }
            seq.end()
        }
        Value::Other(v) => v.serialize(s),
    }
}

/// A value, written by [`write`].
struct Written<'a>(Value<'a>);

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write(s, self.0)
    }
}

impl<T: Member> Member for Option<T> {
    fn value(&self) -> Value<'_> {
        // A `match`, not `map_or`: no closure and adapter compiled for each type.
        match self {
            Some(value) => value.value(),
            None => Value::Absent,
        }
    }
}

impl<T: Member + ?Sized> Member for Box<T> {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

impl<T: Member> Member for Vec<T> {
    fn value(&self) -> Value<'_> {
        Value::Seq(self)
    }
}

impl<T: Member> Sequence for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn item(&self, index: usize) -> Value<'_> {
        self[index].value()
    }
}

impl Member for Text {
    fn value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

macro_rules! plain {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl Member for $t {
            fn value(&self) -> Value<'_> {
                Value::$variant(*self)
            }
        }
    )*};
}

plain!(
    bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f32 => F32, f64 => F64,
);

impl Member for usize {
    fn value(&self) -> Value<'_> {
        Value::U64(*self as u64)
    }
}

impl Member for isize {
    fn value(&self) -> Value<'_> {
        Value::I64(*self as i64)
    }
}

macro_rules! through_serialize {
    ($($t:ty),* $(,)?) => {$(
        impl Member for $t {
            fn value(&self) -> Value<'_> {
                Value::Other(self)
            }
        }
    )*};
}

through_serialize!(
    AnyElement,
    Base64Binary,
    HexBinary,
    DateTime,
    Date,
    Time,
    Duration
);
