#!/usr/bin/awk -f
#
# Lists the strongswan.conf keys that C sources read, one "KEY<TAB>FILE" a
# line; the tests in this folder compare them with conf/plugins/*.opt.
#
#   awk -f tests/options/settings-keys.awk src/.../*.c
#
# A read is a call of settings->get_*() or settings->create_*_enumerator();
# its key is the format string with the arguments resolved:
#  - lib->ns (the daemon's namespace) becomes "charon";
#  - a string literal argument is put in as it is;
#  - any other argument (e.g. a connection name) becomes "*", which matches a
#    placeholder segment such as <name> in a .opt;
#  - a key built with snprintf() into a buffer that is then read counts as
#    if the read had the snprintf() format and arguments;
#  - a key built from a char* parameter of the reading function (a section
#    passed in, "%s.interfaces_use" with section) is completed at each call
#    of that function that passes a string literal for the parameter, e.g.
#    f("charon.plugins.mif.monitor") reads charon.plugins.mif.monitor.
#    interfaces_use.
# A read whose key cannot be resolved this way is printed as "?<TAB>FILE:
# text": the tests fail on it (build such keys from whole strings).
# Plain POSIX awk; comments, character constants and preprocessor lines are
# skipped, adjacent string literals are joined.

function lex(line,    out, rest, c, s, i, d, len) {
	out = ""
	rest = line
	while (rest != "") {
		if (in_comment) {
			i = index(rest, "*/")
			if (!i) {
				return out
			}
			rest = substr(rest, i + 2)
			in_comment = 0
			out = out " "
			continue
		}
		if (!match(rest, /["'\/]/)) {
			return out rest
		}
		out = out substr(rest, 1, RSTART - 1)
		c = substr(rest, RSTART, 1)
		rest = substr(rest, RSTART + 1)
		if (c == "/") {
			d = substr(rest, 1, 1)
			if (d == "/") {
				return out
			}
			if (d == "*") {
				in_comment = 1
				rest = substr(rest, 2)
			} else {
				out = out "/"
			}
			continue
		}
		s = ""
		len = length(rest)
		for (i = 1; i <= len; i++) {
			d = substr(rest, i, 1)
			if (d == "\\") {
				s = s substr(rest, i, 2)
				i++
			} else if (d == c) {
				break
			} else {
				s = s d
			}
		}
		rest = substr(rest, i + 1)
		if (c == "\"") {
			nlit++
			lit[nlit] = s
			out = out " @" nlit "@ "
		} else {
			out = out " 0 "
		}
	}
	return out
}

function trim(s) {
	gsub(/^[ \t]+|[ \t]+$/, "", s)
	return s
}

# split the arguments of the call whose "(" is at position open of s into
# args[1..]; returns their number
function call_args(s, open, args,    depth, i, c, n, start, len) {
	depth = 0
	n = 0
	start = open + 1
	len = length(s)
	for (i = open; i <= len; i++) {
		c = substr(s, i, 1)
		if (c == "(") {
			depth++
		} else if (c == ")") {
			if (--depth == 0) {
				args[++n] = trim(substr(s, start, i - start))
				return n
			}
		} else if (c == "," && depth == 1) {
			args[++n] = trim(substr(s, start, i - start))
			start = i + 1
		}
	}
	return -1
}

# text of an argument made of string literals only, else "" (is_lit tells)
function literal(arg,    n, parts, k, s) {
	is_lit = 0
	if (arg !~ /^(@[0-9]+@[ \t]*)+$/) {
		return ""
	}
	n = split(arg, parts, /[@ \t]+/)
	s = ""
	for (k = 1; k <= n; k++) {
		if (parts[k] != "") {
			s = s lit[parts[k] + 0]
		}
	}
	is_lit = 1
	return s
}

# position (1-based) of char* parameter name in the current function, or 0
function param_index(name,    k) {
	for (k = 1; k <= nparams; k++) {
		if (params[k] == name) {
			return k
		}
	}
	return 0
}

# resolve format args[fmt] with args[a..n] (resolved tells whether the
# format is a literal); a parameter of the current function that starts the
# key becomes "{k}" (k its position)
function resolve(args, n, fmt, a,    f, out, i, conv, v, k, c) {
	f = literal(args[fmt])
	resolved = is_lit
	if (!resolved) {
		return ""
	}
	out = ""
	while ((i = index(f, "%")) > 0) {
		out = out substr(f, 1, i - 1)
		f = substr(f, i + 1)
		if (substr(f, 1, 1) == "%") {
			out = out "%"
			f = substr(f, 2)
			continue
		}
		match(f, /^[-+ #0-9.*hlzjt]*[a-zA-Z]/)
		conv = substr(f, RLENGTH, 1)
		f = substr(f, RLENGTH + 1)
		v = a <= n ? args[a] : ""
		a++
		c = literal(v)
		if (v == "lib->ns") {
			out = out "charon"
		} else if ((k = param_index(v)) > 0 && out == "") {
			out = out "{" k "}"
		} else if (conv == "s" && is_lit) {
			out = out c
		} else {
			out = out "*"
		}
	}
	return out f
}

function emit(key) {
	if (key ~ /^\{[0-9]+\}/) {
		# relative to a parameter: completed where the function is called
		match(key, /^\{[0-9]+\}/)
		rel[fname, substr(key, 2, RLENGTH - 2), ++nrel[fname]] = \
			substr(key, RLENGTH + 1)
	} else if (key ~ /\{[0-9]+\}/) {
		print "?\t" FILENAME ": parameter inside key " key
	} else {
		print key "\t" FILENAME
	}
}

# a settings read at position p of piece s
# (get_*(settings, key, default, ...), create_*(settings, key, ...))
function settings_read(s, p, getter,    args, n, key, first, k) {
	n = call_args(s, p, args)
	first = args[2]
	if (n < 2) {
		print "?\t" FILENAME ": unparsed settings read"
		return
	}
	key = resolve(args, n, 2, getter ? 4 : 3)
	if (resolved) {
		emit(key)
	} else if (first in built) {
		emit(built[first])
	} else if ((k = param_index(first)) > 0) {
		emit("{" k "}")
	} else {
		print "?\t" FILENAME ": settings read of key " first
	}
}

# keys built with snprintf(buf, len, fmt, ...) / sprintf(buf, fmt, ...)
function built_key(s, p, name,    args, n, fmt) {
	n = call_args(s, p, args)
	fmt = name == "snprintf" ? 3 : 2
	if (n >= fmt) {
		built[args[1]] = resolve(args, n, fmt, fmt + 1)
		if (!resolved) {
			delete built[args[1]]
		}
	}
}

# calls passing a string literal, checked against parameter keys at the end
function literal_calls(s,    rest, off, name, args, n, k, v) {
	rest = s
	off = 0
	while (match(rest, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/)) {
		name = substr(rest, RSTART, RLENGTH)
		sub(/[ \t]*\($/, "", name)
		n = call_args(rest, RSTART + RLENGTH - 1, args)
		for (k = 1; k <= n; k++) {
			v = literal(args[k])
			if (is_lit) {
				ncalls++
				call_func[ncalls] = name
				call_arg[ncalls] = k
				call_lit[ncalls] = v
				call_file[ncalls] = FILENAME
			}
		}
		rest = substr(rest, RSTART + RLENGTH)
	}
}

function piece(s,    rest, p) {
	if (depth == 0) {
		return
	}
	rest = s
	while (match(rest, /(sn?printf|settings->(get_[a-z]+|create_section_enumerator|create_key_value_enumerator))[ \t]*\(/)) {
		p = RSTART + RLENGTH - 1
		if (substr(rest, RSTART, 8) == "settings") {
			settings_read(rest, p, substr(rest, RSTART + 10, 4) == "get_")
		} else {
			built_key(rest, p, substr(rest, RSTART, 8))
		}
		rest = substr(rest, p + 1)
	}
	literal_calls(s)
}

# a function header at file level: its name and char* parameters
function header(s,    open, args, n, k, a) {
	fname = ""
	nparams = 0
	split("", built)
	if (!match(s, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/) || s ~ /=/) {
		return
	}
	fname = substr(s, RSTART, RLENGTH)
	sub(/[ \t]*\($/, "", fname)
	n = call_args(s, RSTART + RLENGTH - 1, args)
	for (k = 1; k <= n; k++) {
		a = args[k]
		params[k] = ""
		if (a ~ /char[ \t]*\*[ \t]*[A-Za-z_][A-Za-z_0-9]*$/) {
			sub(/.*[ \t*]/, "", a)
			params[k] = a
		}
	}
	nparams = n > 0 ? n : 0
}

FNR == 1 {
	in_comment = 0
	in_cpp = 0
	depth = 0
	cur = ""
}

{
	line = lex($0)
	if (in_cpp || line ~ /^[ \t]*#/) {
		in_cpp = line ~ /\\[ \t]*$/
		next
	}
	while (match(line, /[;{}]/)) {
		cur = cur " " substr(line, 1, RSTART - 1)
		d = substr(line, RSTART, 1)
		line = substr(line, RSTART + 1)
		if (d == "{" && depth == 0) {
			header(cur)
		} else {
			piece(cur)
		}
		cur = ""
		if (d == "{") {
			depth++
		} else if (d == "}" && depth > 0) {
			depth--
		}
	}
	cur = cur " " line
}

END {
	for (c = 1; c <= ncalls; c++) {
		f = call_func[c]
		for (r = 1; r <= nrel[f]; r++) {
			if ((f, call_arg[c], r) in rel) {
				print call_lit[c] rel[f, call_arg[c], r] "\t" call_file[c]
			}
		}
	}
}
