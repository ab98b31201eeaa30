#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static int report(icalcomponent *c) {
	int n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		printf("%s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(c)), icalproperty_get_xlicerror(p));
		n++;
	}
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += report(k);
	return n;
}

int main(int argc, char **argv) {
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror(argv[1]); return 2; }
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc(size + 1);
	if (fread(buf, 1, size, f) != (size_t)size) { perror("read"); return 2; }
	buf[size] = 0;
	icalcomponent *c = icalparser_parse_string(buf);
	if (!c) { printf("not iCalendar\n"); return 1; }
	int valid = icalrestriction_check(c);
	int n = report(c);
	printf("%d finding(s)\n", n);
	return (n > 0 || !valid) ? 1 : 0;
}
