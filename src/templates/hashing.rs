//! Hashing any serializable value by its structure, for [`super::fingerprint`].
//!
//! Hashing a page's context through its JSON form spent most of its time escaping strings and
//! formatting numbers that no one reads. This serializer feeds the hasher the values
//! themselves, each preceded by a tag byte that says what it is and, for strings, sequences and
//! maps, how long it is, so that no two different values feed the same bytes (`["ab"]` and
//! `["a", "b"]`, a value moved from one field to the next, `None` and `Some(())`).

use serde::ser::{self, Serialize};
use std::hash::Hasher;

/// Feeds `value` to `hasher`, by structure. Returns `false` if the value refused to be
/// serialized (what was fed before stays: at worst a page is rendered again when it need not).
pub fn hash_serialized<H: Hasher, T: Serialize + ?Sized>(hasher: &mut H, value: &T) -> bool {
    value.serialize(&mut Feed(hasher)).is_ok()
}

/// The tag bytes: one per kind of value.
mod tag {
    pub const BOOL: u8 = 1;
    pub const INT: u8 = 2;
    pub const UINT: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const CHAR: u8 = 5;
    pub const STR: u8 = 6;
    pub const BYTES: u8 = 7;
    pub const NONE: u8 = 8;
    pub const SOME: u8 = 9;
    pub const UNIT: u8 = 10;
    pub const VARIANT: u8 = 11;
    pub const NEWTYPE: u8 = 12;
    pub const SEQ: u8 = 13;
    pub const MAP: u8 = 14;
    pub const STRUCT: u8 = 15;
    pub const END: u8 = 16;
}

struct Feed<'h, H: Hasher>(&'h mut H);

impl<H: Hasher> Feed<'_, H> {
    fn variant(&mut self, name: &str) {
        self.0.write_u8(tag::VARIANT);
        self.str(name);
    }

    fn str(&mut self, value: &str) {
        self.0.write_u8(tag::STR);
        self.0.write_usize(value.len());
        self.0.write(value.as_bytes());
    }
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        Refused(message.to_string())
    }
}

/// Narrow numbers hash as their widest kind: a value's hash does not depend on its type's width.
macro_rules! widened {
    ($($($narrow:ident($t:ty)),+ => $wide:ident($w:ty);)+) => {
        $($(fn $narrow(self, v: $t) -> Result<(), Refused> {
            self.$wide(<$w>::from(v))
        })+)+
    };
}

impl<H: Hasher> ser::Serializer for &mut Feed<'_, H> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Refused> {
        self.0.write_u8(tag::BOOL);
        self.0.write_u8(u8::from(v));
        Ok(())
    }
    widened! {
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32) => serialize_i64(i64);
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32) => serialize_u64(u64);
        serialize_f32(f32) => serialize_f64(f64);
    }
    fn serialize_i64(self, v: i64) -> Result<(), Refused> {
        self.0.write_u8(tag::INT);
        self.0.write_i64(v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Refused> {
        self.0.write_u8(tag::UINT);
        self.0.write_u64(v);
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Refused> {
        self.0.write_u8(tag::FLOAT);
        self.0.write_u64(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Refused> {
        self.0.write_u8(tag::CHAR);
        self.0.write_u32(u32::from(v));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Refused> {
        self.0.write_u8(tag::BYTES);
        self.0.write_usize(v.len());
        self.0.write(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Refused> {
        self.0.write_u8(tag::NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        self.0.write_u8(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Refused> {
        self.0.write_u8(tag::UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Refused> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.variant(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        self.0.write_u8(tag::NEWTYPE);
        self.variant(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Refused> {
        self.0.write_u8(tag::SEQ);
        self.0.write_usize(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Refused> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Refused> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Refused> {
        self.variant(variant);
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Refused> {
        self.0.write_u8(tag::MAP);
        self.0.write_usize(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Refused> {
        // Fields skipped when empty make the length unreliable: the END tag closes it instead.
        self.0.write_u8(tag::STRUCT);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Refused> {
        self.variant(variant);
        self.serialize_struct("", len)
    }
}

/// Every compound value ends with [`tag::END`], so that what follows it cannot be read as
/// part of it.
macro_rules! compound {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl<H: Hasher> ser::$trait for &mut Feed<'_, H> {
            type Ok = ();
            type Error = Refused;
            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($key: &'static str,)?
                value: &T,
            ) -> Result<(), Refused> {
                $(self.str($key);)?
                value.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Refused> {
                self.0.write_u8(tag::END);
                Ok(())
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);
compound!(SerializeStruct, serialize_field, key);
compound!(SerializeStructVariant, serialize_field, key);

impl<H: Hasher> ser::SerializeMap for &mut Feed<'_, H> {
    type Ok = ();
    type Error = Refused;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Refused> {
        self.0.write_u8(tag::END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    fn hash<T: Serialize + ?Sized>(value: &T) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        assert!(hash_serialized(&mut hasher, value));
        hasher.finish()
    }

    #[derive(Serialize)]
    struct Item {
        title: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        date: Option<String>,
        tags: Vec<String>,
    }

    fn item(title: &str, date: Option<&str>, tags: &[&str]) -> Item {
        Item {
            title: title.into(),
            date: date.map(Into::into),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn equal_values_hash_equal_and_any_difference_shows() {
        let base = hash(&item("Réunion", Some("2024"), &["a", "b"]));
        assert_eq!(base, hash(&item("Réunion", Some("2024"), &["a", "b"])));
        for other in [
            item("Réunions", Some("2024"), &["a", "b"]),
            item("Réunion", None, &["a", "b"]),
            item("Réunion", Some("2024"), &["ab"]),
            item("Réunion", Some("2024"), &["a", "b", ""]),
            item("Réunion", Some("2024"), &["b", "a"]),
        ] {
            assert_ne!(base, hash(&other));
        }
    }

    #[test]
    fn structure_is_part_of_the_hash() {
        assert_ne!(hash(&vec!["ab"]), hash(&vec!["a", "b"]));
        assert_ne!(
            hash(&(vec!["a"], vec!["b"])),
            hash(&(vec!["a", "b"], Vec::<&str>::new()))
        );
        assert_ne!(hash(&Some(())), hash(&None::<()>));
        assert_ne!(hash(&1u64), hash(&1i64));
        assert_ne!(hash(&1u64), hash(&1.0f64));
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_ne!(hash(&map(&[("a", "bc")])), hash(&map(&[("ab", "c")])));
        assert_eq!(hash(&map(&[("a", "b")])), hash(&map(&[("a", "b")])));
    }
}
