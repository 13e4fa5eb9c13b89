# cmake -DIN=<file> -DOUT=<file.c> -DSYMBOL=<name> -P embed_file.cmake
# Writes a C source defining `const unsigned char SYMBOL[]` and `const unsigned long SYMBOL_len`
# with the bytes of IN (no xxd needed; the array is 8-byte aligned for libbpf's ELF reader).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}" "/* Generated from ${IN} by cmake/embed_file.cmake. */\n"
  "__attribute__((aligned(8))) const unsigned char ${SYMBOL}[] = {\n${body}\n};\n"
  "const unsigned long ${SYMBOL}_len = ${len};\n")
