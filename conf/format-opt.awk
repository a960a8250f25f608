#!/usr/bin/awk -f
#
# Formats an option description (conf/plugins/NAME.opt) as
#   format=conf  the strongswan.conf snippet installed as NAME.conf,
#   format=man   the option list of the plugin's man page (roff, .TP items),
#   format=keys  the full names of the options, one a line (for the tests).
# Every option is below root.NAME (NAME from the file name, root e.g.
# charon.plugins): the snippet opens section NAME, the man page names the
# options relative to root.NAME.
#
#   awk -f conf/format-opt.awk -v format=conf -v root=charon.plugins mif.opt
#
# Plain POSIX awk (Debian's mawk does). The .opt format is strongSwan's:
#
#   full.option.name [= default]     option, commented out in the snippet
#   full.option.name := default      option, set in the snippet
#   full.section.name {}             section; {#} comments its header out
#   <TAB>Short description (first paragraph, used in the snippet)
#   <TAB>
#   <TAB>Long description for the man page, more paragraphs allowed;
#   <TAB>**bold** and _italic_ words. Without it the short one is used.
#
# Sections that have no entry of their own are implied by their options'
# names; a segment written <name> is a placeholder (its section is commented
# out in the snippet).

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function parent_of(name,    i) {
	for (i = length(name); i > 0; i--) {
		if (substr(name, i, 1) == ".") {
			return substr(name, 1, i - 1)
		}
	}
	return ""
}

function last_of(name,    p) {
	p = parent_of(name)
	return p == "" ? name : substr(name, length(p) + 2)
}

# add an entry (or return the one of that name); implied parent sections first
function entry(name, is_section,    p, i) {
	if (name in index_of) {
		return index_of[name]
	}
	p = parent_of(name)
	if (p != "" && length(p) > length(top)) {
		i = entry(p, 1)
		if (!section[i]) {
			fail("'" p "' is an option and a section")
		}
	}
	n++
	names[n] = name
	section[n] = is_section
	parent[n] = p
	index_of[name] = n
	return n
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# header line: "name", "name = value", "name := value", "name {}", "name {#}"
function header(line,    name, i, pos) {
	if (match(line, /[ \t]*\{#?\}[ \t]*$/)) {
		name = substr(line, 1, RSTART - 1)
		i = entry(name, 1)
		if (described[i]) {
			fail("'" name "' described twice")
		}
		hidden[i] = index(substr(line, RSTART), "#") > 0
	} else {
		pos = index(line, "=")
		name = trim(pos ? substr(line, 1, pos - 1) : line)
		set = 0
		if (pos && substr(name, length(name)) == ":") {
			set = 1
			name = trim(substr(name, 1, length(name) - 1))
		}
		if (name in index_of) {
			fail("'" name "' described twice")
		}
		i = entry(name, 0)
		has_default[i] = pos > 0
		dflt[i] = pos ? trim(substr(line, pos + 1)) : ""
		assigned[i] = set
	}
	if (name !~ /^[A-Za-z0-9_<>.-]+$/ || name ~ /\.\.|^\.|\.$/) {
		fail("bad name '" name "'")
	}
	if (index(name, top ".") != 1) {
		fail("'" name "' is not below " top)
	}
	described[i] = 1
	return i
}

# strip **bold** and _italic_ marks (snippet comments are plain text)
function plain(s) {
	return markup(s, "", "", "", "")
}

function is_alnum(c) {
	return c ~ /[A-Za-z0-9]/
}

# replace **x** by bo x bc and _x_ (underscores at word bounds) by io x ic
function markup(s, bo, bc, io, ic,    out, i, c, j, len, bold) {
	out = ""
	len = length(s)
	bold = 0
	for (i = 1; i <= len; i++) {
		c = substr(s, i, 1)
		if (substr(s, i, 2) == "**") {
			out = out (bold ? bc : bo)
			bold = !bold
			i++
			continue
		}
		if (c == "_" && (i == 1 || !is_alnum(substr(s, i - 1, 1)))) {
			for (j = i + 2; j <= len; j++) {
				if (substr(s, j, 1) == "_" &&
					(j == len || !is_alnum(substr(s, j + 1, 1)))) {
					break
				}
			}
			if (j <= len) {
				out = out io substr(s, i + 1, j - i - 1) ic
				i = j
				continue
			}
		}
		out = out c
	}
	return out
}

# print words of text as comment lines of at most 80 columns
function wrap(text, prefix,    words, nw, k, line) {
	nw = split(text, words, /[ \t]+/)
	line = ""
	for (k = 1; k <= nw; k++) {
		if (words[k] == "") {
			continue
		}
		if (line != "" && length(prefix line " " words[k]) > 80) {
			print prefix line
			line = ""
		}
		line = line == "" ? words[k] : line " " words[k]
	}
	if (line != "") {
		print prefix line
	}
}

function indent(depth,    s) {
	s = ""
	while (depth-- > 0) {
		s = s "    "
	}
	return s
}

function conf_option(i, depth,    pre, name) {
	pre = indent(depth)
	name = last_of(names[i])
	if (npara[i]) {
		wrap(plain(para[i, 1]), pre "# ")
	}
	print pre (assigned[i] ? "" : "# ") name " =" \
		(dflt[i] == "" ? "" : " " dflt[i])
	print ""
}

# a section's options first, then its subsections, each in .opt order
function conf_section(i, depth,    pre, k, c) {
	pre = indent(depth)
	c = (hidden[i] || names[i] ~ /</) ? "# " : ""
	if (depth > 0 && npara[i]) {
		wrap(plain(para[i, 1]), pre "# ")
	}
	print pre c last_of(names[i]) " {"
	print ""
	for (k = 1; k <= n; k++) {
		if (parent[k] == names[i] && !section[k]) {
			conf_option(k, depth + 1)
		}
	}
	for (k = 1; k <= n; k++) {
		if (parent[k] == names[i] && section[k]) {
			conf_section(k, depth + 1)
		}
	}
	print pre c "}"
	print ""
}

function roff_text(s) {
	gsub(/\\/, "\\e", s)
	s = markup(s, "\\fB", "\\fR", "\\fI", "\\fR")
	if (s ~ /^[.']/) {
		s = "\\&" s
	}
	return s
}

function roff_arg(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	gsub(/"/, "\\(dq", s)
	return s
}

# an option name in bold, its placeholder segments (<name>) in italics
function roff_name(s) {
	s = roff_arg(s)
	while (match(s, /<[^>]*>/)) {
		s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 2) \
			"\\fB" substr(s, RSTART + RLENGTH)
	}
	return s
}

# options and described sections in .opt order, named relative to top
function man_entries(    i, k, name) {
	for (i = 1; i <= n; i++) {
		if (section[i] && !npara[i] || names[i] == top) {
			continue
		}
		name = roff_name(substr(names[i], length(top) + 2))
		print ".TP"
		if (section[i]) {
			print ".B \"" name "\""
		} else if (has_default[i]) {
			print ".BR \"" name "\" \" [" roff_arg(dflt[i]) "]\""
		} else {
			print ".B \"" name "\""
		}
		for (k = npara[i] > 1 ? 2 : 1; k <= npara[i]; k++) {
			if (k > 2) {
				print ".IP"
			}
			print roff_text(para[i, k])
		}
	}
}

BEGIN {
	if (format !~ /^(conf|man|keys)$/) {
		print "format-opt.awk: -v format=conf|man|keys" > "/dev/stderr"
		failed = 1
		exit 1
	}
	cur = 0
}

/^#/ {
	next
}

top == "" {
	top = FILENAME
	sub(/.*\//, "", top)
	sub(/\.opt$/, "", top)
	top = (root == "" ? "" : root ".") top
}

/^[^ \t]/ {
	cur = header($0)
	gap = 0
	next
}

/^[ \t]*$/ {
	gap = 1
	next
}

{
	if (!cur) {
		fail("description without an option")
	}
	text = trim($0)
	if (!npara[cur] || gap) {
		npara[cur]++
		para[cur, npara[cur]] = text
	} else {
		para[cur, npara[cur]] = para[cur, npara[cur]] " " text
	}
	gap = 0
}

END {
	if (failed) {
		exit 1
	}
	if (format == "keys") {
		for (i = 1; i <= n; i++) {
			if (!section[i]) {
				print names[i]
			}
		}
	} else if (format == "conf") {
		conf_section(entry(top, 1), 0)
	} else {
		man_entries()
	}
}
