"""Which binary format a file's first bytes name, for the files git calls binary and that are not text.

Such a file is read by no analyzer. When it is an image, an archive, a font or a compiled program, no
tool reads it as code, manifest or instructions either: a gap in the coverage that changes no verdict.
Any other such file may be text a tool still reads (a few Latin-1 bytes and one NUL make git call text
binary, and pip installs what that requirements file names): it was not checked, so it leaves the
verdict neutral (`gate.policy`). So the gate names the formats it knows by their magic bytes, and a file
that is mostly printable is taken as text whatever its first bytes say.
"""

from __future__ import annotations

# The formats real repositories commit as binary files, by the bytes at an offset that open them
# (each format's own specification; the `file` command's magic list agrees).
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"BM", "BMP image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"\x00\x00\x01\x00", "Windows icon"),
    (0, b"\x00\x00\x02\x00", "Windows cursor"),
    (0, b"icns", "macOS icon"),
    (0, b"8BPS", "Photoshop image"),
    (0, b"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"),
    (0, b"\xff\x0a", "JPEG XL image"),
    (4, b"ftyp", "ISO media (MP4, MOV, HEIC, AVIF)"),
    (0, b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (0, b"\x1aE\xdf\xa3", "Matroska or WebM video"),
    (0, b"OggS", "Ogg media"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"ID3", "MP3 audio"),
    (0, b"\xff\xfb", "MP3 audio"),
    (0, b"\xff\xf3", "MP3 audio"),
    (0, b"\xff\xf2", "MP3 audio"),
    (0, b"MThd", "MIDI audio"),
    (0, b"wOFF", "WOFF font"),
    (0, b"wOF2", "WOFF2 font"),
    (0, b"\x00\x01\x00\x00", "TrueType font"),
    (0, b"OTTO", "OpenType font"),
    (0, b"true", "TrueType font"),
    (0, b"ttcf", "TrueType font collection"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE document (Office 97)"),
    (0, b"PK\x03\x04", "ZIP archive"),
    (0, b"PK\x05\x06", "ZIP archive"),
    (0, b"\x1f\x8b", "gzip data"),
    (0, b"BZh", "bzip2 data"),
    (0, b"\xfd7zXZ\x00", "xz data"),
    (0, b"(\xb5/\xfd", "Zstandard data"),
    (0, b"\x04\x22\x4d\x18", "LZ4 data"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"MSCF", "Cabinet archive"),
    (257, b"ustar", "tar archive"),
    (0, b"!<arch>\n", "ar archive (static library, Debian package)"),
    (0, b"\xed\xab\xee\xdb", "RPM package"),
    (0, b"\x7fELF", "ELF program"),
    (0, b"MZ", "Windows program"),
    (0, b"\xfe\xed\xfa\xce", "Mach-O program"),
    (0, b"\xfe\xed\xfa\xcf", "Mach-O program"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O program"),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O program"),
    (0, b"\xca\xfe\xba\xbe", "Java class or universal Mach-O program"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"dex\n", "Android Dalvik program"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\x89HDF\r\n\x1a\n", "HDF5 data"),
    (0, b"\x93NUMPY", "NumPy array"),
    (0, b"PAR1", "Parquet data"),
    (0, b"ARROW1", "Arrow data"),
    (0, b"Obj\x01", "Avro data"),
    (0, b"GGUF", "GGUF model"),
    (4, b"TFL3", "TensorFlow Lite model"),
    (0, b"glTF", "glTF binary model"),
    (0, b"\xde\x12\x04\x95", "gettext catalogue"),
    (0, b"\x95\x04\x12\xde", "gettext catalogue"),
    (0, b"\x00\x00\x00\x01Bud1", "macOS folder settings (.DS_Store)"),
    (0, b"\xfe\xed\xfe\xed", "Java keystore"),
)
# A Python 3 bytecode file opens with its version's magic number, 3000 to 4095 little-endian, then "\r\n".
_PYC_HIGH_BYTES = range(0x0B, 0x10)
# A pickle (protocol 2 to 5) opens with its protocol opcode.
_PICKLE_OPENINGS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
# Bytes read to judge a file: its first bytes name its format, and its printable share is measured
# on them (a text file's first 64 KiB say it is text as well as its whole).
SAMPLE_BYTES = 65_536
# Text is printable bytes, but for a few (a NUL, a byte of another encoding): at least this share.
_MOSTLY_PRINTABLE = 0.9
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r\f\v"


def binary_format(data: bytes) -> str | None:
    """The binary format `data` is, by its first bytes, in a few words ("PNG image"); None when they
    name no format the gate knows, or when `data` is mostly printable text whatever they name."""
    sample = data[:SAMPLE_BYTES]
    if mostly_printable(sample):
        return None
    for offset, magic, name in _MAGIC:
        if sample[offset : offset + len(magic)] == magic:
            return name
    if sample[2:4] == b"\r\n" and sample[1] in _PYC_HIGH_BYTES:
        return "Python bytecode"
    if sample.startswith(_PICKLE_OPENINGS):
        return "Python pickle"
    return None


def mostly_printable(data: bytes) -> bool:
    """Whether `data` is text but for a few bytes: printable ASCII and whitespace, nine bytes in ten."""
    if not data:
        return True
    unprintable = len(data.translate(None, _PRINTABLE))
    return unprintable <= (1 - _MOSTLY_PRINTABLE) * len(data)
