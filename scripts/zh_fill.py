import sys, importlib.util
from babel.messages.pofile import read_po, write_po
spec = importlib.util.spec_from_file_location("z", sys.argv[1]); z = importlib.util.module_from_spec(spec); spec.loader.exec_module(z)
p = 'locales/zh_CN/LC_MESSAGES/messages.po'
c = read_po(open(p, 'rb'), locale='zh_CN')
n = 0
for m in c:
    if m.id and not m.string and m.id in z.Z:
        m.string = z.Z[m.id]; m.flags.discard('fuzzy'); n += 1
write_po(open(p, 'wb'), c, width=0, sort_output=True)
print("filled", n, "left", [m.id for m in c if m.id and not m.string])
