//! The few CBOR items the search index files are made of (RFC 8949): definite-length arrays,
//! text strings and integers, each in its shortest form. Pagefind's client decodes its meta file
//! and chunks as CBOR arrays whose positions are the fields of its records, so that is all the
//! index writer needs; a general CBOR library would bring derive macros for four record types.

/// Appends CBOR items to a byte buffer.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    /// The head of an item: its major type and its argument in the fewest bytes.
    fn head(&mut self, major: u8, argument: u64) {
        let major = major << 5;
        match argument {
            0..=23 => self.bytes.push(major | argument as u8),
            24..=0xff => self.bytes.extend([major | 24, argument as u8]),
            0x100..=0xffff => {
                self.bytes.push(major | 25);
                self.bytes.extend((argument as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.bytes.push(major | 26);
                self.bytes.extend((argument as u32).to_be_bytes());
            }
            _ => {
                self.bytes.push(major | 27);
                self.bytes.extend(argument.to_be_bytes());
            }
        }
    }

    /// An array of `len` items; the items follow.
    pub fn array(&mut self, len: usize) {
        self.head(4, len as u64);
    }

    pub fn text(&mut self, text: &str) {
        self.head(3, text.len() as u64);
        self.bytes.extend_from_slice(text.as_bytes());
    }

    pub fn unsigned(&mut self, value: u64) {
        self.head(0, value);
    }

    pub fn signed(&mut self, value: i64) {
        if value >= 0 {
            self.head(0, value as u64);
        } else {
            // A negative integer n is carried as -1 - n.
            self.head(1, (-1 - value) as u64);
        }
    }

    /// An array of signed integers.
    pub fn signed_array(&mut self, values: &[i32]) {
        self.array(values.len());
        for &value in values {
            self.signed(i64::from(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(write: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut writer = Writer::default();
        write(&mut writer);
        writer.bytes
    }

    #[test]
    fn integers_take_the_shortest_form() {
        // The examples of RFC 8949, appendix A.
        assert_eq!(encoded(|w| w.unsigned(0)), [0x00]);
        assert_eq!(encoded(|w| w.unsigned(23)), [0x17]);
        assert_eq!(encoded(|w| w.unsigned(24)), [0x18, 0x18]);
        assert_eq!(encoded(|w| w.unsigned(1000)), [0x19, 0x03, 0xe8]);
        assert_eq!(
            encoded(|w| w.unsigned(1_000_000)),
            [0x1a, 0x00, 0x0f, 0x42, 0x40]
        );
        assert_eq!(
            encoded(|w| w.unsigned(1_000_000_000_000)),
            [0x1b, 0x00, 0x00, 0x00, 0xe8, 0xd4, 0xa5, 0x10, 0x00]
        );
        assert_eq!(encoded(|w| w.signed(-1)), [0x20]);
        assert_eq!(encoded(|w| w.signed(-10)), [0x29]);
        assert_eq!(encoded(|w| w.signed(-100)), [0x38, 0x63]);
        assert_eq!(encoded(|w| w.signed(-1000)), [0x39, 0x03, 0xe7]);
    }

    #[test]
    fn strings_and_arrays_carry_their_length() {
        assert_eq!(encoded(|w| w.text("")), [0x60]);
        assert_eq!(encoded(|w| w.text("IETF")), [0x64, b'I', b'E', b'T', b'F']);
        assert_eq!(encoded(|w| w.text("ü")), [0x62, 0xc3, 0xbc]);
        assert_eq!(
            encoded(|w| w.signed_array(&[1, -2, 3])),
            [0x83, 0x01, 0x21, 0x03]
        );
        assert_eq!(encoded(|w| w.array(25)), [0x98, 0x19]);
    }
}
