/*
 * Copyright (C) 2026 strongswan-mif authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

#include "mif_store_sqlite.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <errno.h>

#include <threading/mutex.h>
#include <utils/debug.h>

typedef struct private_mif_store_sqlite_t private_mif_store_sqlite_t;

/**
 * Schema version stored in PRAGMA user_version
 */
#define SCHEMA_VERSION 1

/**
 * Prepared statements
 */
typedef enum {
	STMT_PUT_SESSION,
	STMT_DEL_SESSION,
	STMT_DEL_SESSION_BINDINGS,
	STMT_DEL_SESSION_FLOWS,
	STMT_DEL_SESSION_SAS,
	STMT_PUT_BINDING,
	STMT_DEL_BINDING,
	STMT_PUT_FLOW,
	STMT_DEL_FLOW,
	STMT_PUT_SA,
	STMT_DEL_SA,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_MAX,
} stmt_t;

static const char *stmt_sql[STMT_MAX] = {
	[STMT_PUT_SESSION] = "INSERT OR REPLACE INTO sessions (sid, hoa, id, seq) "
						 "VALUES (?, ?, ?, ?)",
	[STMT_DEL_SESSION] = "DELETE FROM sessions WHERE sid = ?",
	[STMT_DEL_SESSION_BINDINGS] = "DELETE FROM bindings WHERE sid = ?",
	[STMT_DEL_SESSION_FLOWS] = "DELETE FROM flows WHERE sid = ?",
	[STMT_DEL_SESSION_SAS] = "DELETE FROM sas WHERE sid = ?",
	[STMT_PUT_BINDING] = "INSERT OR REPLACE INTO bindings (sid, bid, coa, "
						 "remote, ifname, ifindex, prio, state, flags, seq, "
						 "lifetime, expires) "
						 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_DEL_BINDING] = "DELETE FROM bindings WHERE sid = ? AND bid = ?",
	[STMT_PUT_FLOW] = "INSERT OR REPLACE INTO flows (sid, fid, prio, action, "
					  "bids, ts) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_DEL_FLOW] = "DELETE FROM flows WHERE sid = ? AND fid = ?",
	[STMT_PUT_SA] = "INSERT OR REPLACE INTO sas (sid, type, ike_id, spi_in, "
					"spi_out, reqid, protocol, bid) "
					"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_DEL_SA] = "DELETE FROM sas WHERE sid = ? AND type = ? AND "
					"ike_id = ? AND spi_in = ? AND spi_out = ?",
	[STMT_BEGIN] = "BEGIN",
	[STMT_COMMIT] = "COMMIT",
};

static const char *schema =
	"CREATE TABLE IF NOT EXISTS sessions ("
	" sid INTEGER PRIMARY KEY, hoa BLOB, id TEXT, seq INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS bindings ("
	" sid INTEGER NOT NULL, bid INTEGER NOT NULL, coa BLOB NOT NULL,"
	" remote BLOB, ifname TEXT, ifindex INTEGER, prio INTEGER, state INTEGER,"
	" flags INTEGER, seq INTEGER, lifetime INTEGER, expires INTEGER,"
	" PRIMARY KEY (sid, bid)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS flows ("
	" sid INTEGER NOT NULL, fid INTEGER NOT NULL, prio INTEGER, action INTEGER,"
	" bids BLOB, ts BLOB, PRIMARY KEY (sid, fid)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS sas ("
	" sid INTEGER NOT NULL, type INTEGER NOT NULL, ike_id INTEGER NOT NULL,"
	" spi_in INTEGER NOT NULL, spi_out INTEGER NOT NULL, reqid INTEGER,"
	" protocol INTEGER, bid INTEGER,"
	" PRIMARY KEY (sid, type, ike_id, spi_in, spi_out)) WITHOUT ROWID;";

/**
 * Private data of a mif_store_sqlite_t object.
 */
struct private_mif_store_sqlite_t {

	/**
	 * Public interface.
	 */
	mif_store_t public;

	/**
	 * Database handle
	 */
	sqlite3 *db;

	/**
	 * Prepared statements
	 */
	sqlite3_stmt *stmts[STMT_MAX];

	/**
	 * Changes in the open transaction, 0 if none is open
	 */
	u_int pending;

	/**
	 * When the open transaction began
	 */
	timeval_t begun;

	/**
	 * Serialises access to the database
	 */
	mutex_t *mutex;
};

/**
 * Execute a statement without results, resetting it
 */
static bool run(private_mif_store_sqlite_t *this, sqlite3_stmt *stmt)
{
	int rc;

	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE)
	{
		DBG1(DBG_CFG, "mif: sqlite statement failed: %s",
			 sqlite3_errmsg(this->db));
		return FALSE;
	}
	return TRUE;
}

/**
 * Commit the open transaction, if any
 */
static bool commit(private_mif_store_sqlite_t *this)
{
	if (!this->pending)
	{
		return TRUE;
	}
	this->pending = 0;
	return run(this, this->stmts[STMT_COMMIT]);
}

/**
 * Start a write: lock, make sure a transaction is open
 */
static sqlite3_stmt *begin(private_mif_store_sqlite_t *this, stmt_t stmt)
{
	this->mutex->lock(this->mutex);
	if (!this->pending)
	{
		if (!run(this, this->stmts[STMT_BEGIN]))
		{	/* carry on in autocommit mode */
			return this->stmts[stmt];
		}
		time_monotonic(&this->begun);
	}
	this->pending++;
	return this->stmts[stmt];
}

/**
 * Finish a write: commit if the batch is full or old, unlock
 */
static bool end(private_mif_store_sqlite_t *this, sqlite3_stmt *stmt)
{
	timeval_t now, age;
	bool ok;

	ok = run(this, stmt);
	if (this->pending >= MIF_STORE_SQLITE_BATCH)
	{
		ok = commit(this) && ok;
	}
	else if (this->pending)
	{
		time_monotonic(&now);
		timersub(&now, &this->begun, &age);
		if (age.tv_sec * 1000 + age.tv_usec / 1000 >= MIF_STORE_SQLITE_INTERVAL)
		{
			ok = commit(this) && ok;
		}
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Encode an address as a blob: version (4/6), port (2, big endian), address
 */
static size_t encode_addr(const mif_addr_t *addr, uint8_t buf[19])
{
	size_t len;

	switch (addr->family)
	{
		case AF_INET:
			buf[0] = 4;
			len = 4;
			break;
		case AF_INET6:
			buf[0] = 6;
			len = 16;
			break;
		default:
			return 0;
	}
	htoun16(buf + 1, addr->port);
	memcpy(buf + 3, addr->addr, len);
	return 3 + len;
}

/**
 * Decode an address blob, a NULL blob gives an empty address
 */
static bool decode_addr(sqlite3_stmt *stmt, int col, mif_addr_t *addr)
{
	const uint8_t *buf;
	int len;

	memset(addr, 0, sizeof(*addr));
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
	{
		return TRUE;
	}
	buf = sqlite3_column_blob(stmt, col);
	len = sqlite3_column_bytes(stmt, col);
	if (len == 7 && buf[0] == 4)
	{
		addr->family = AF_INET;
	}
	else if (len == 19 && buf[0] == 6)
	{
		addr->family = AF_INET6;
	}
	else
	{
		return FALSE;
	}
	addr->port = untoh16((void*)buf + 1);
	memcpy(addr->addr, buf + 3, len - 3);
	return TRUE;
}

/**
 * Bind an address blob, NULL if unset
 */
static void bind_addr(sqlite3_stmt *stmt, int col, const mif_addr_t *addr)
{
	uint8_t buf[19];
	size_t len;

	len = encode_addr(addr, buf);
	if (len)
	{
		sqlite3_bind_blob(stmt, col, buf, len, SQLITE_TRANSIENT);
	}
	else
	{
		sqlite3_bind_null(stmt, col);
	}
}

/**
 * Encode a traffic selector: version, proto, 4 ports (big endian), then
 * source low/high and destination low/high addresses
 */
static size_t encode_ts(const mif_ts_t *ts, uint8_t buf[74])
{
	size_t alen = ts->family == AF_INET ? 4 : 16;
	uint8_t *pos = buf;

	*pos++ = ts->family == AF_INET ? 4 : 6;
	*pos++ = ts->proto;
	htoun16(pos, ts->sport_lo); pos += 2;
	htoun16(pos, ts->sport_hi); pos += 2;
	htoun16(pos, ts->dport_lo); pos += 2;
	htoun16(pos, ts->dport_hi); pos += 2;
	memcpy(pos, ts->src_lo, alen); pos += alen;
	memcpy(pos, ts->src_hi, alen); pos += alen;
	memcpy(pos, ts->dst_lo, alen); pos += alen;
	memcpy(pos, ts->dst_hi, alen); pos += alen;
	return pos - buf;
}

/**
 * Decode a traffic selector blob
 */
static bool decode_ts(const uint8_t *buf, int len, mif_ts_t *ts)
{
	size_t alen;

	memset(ts, 0, sizeof(*ts));
	if (len == 10 + 4 * 4 && buf[0] == 4)
	{
		ts->family = AF_INET;
		alen = 4;
	}
	else if (len == 10 + 4 * 16 && buf[0] == 6)
	{
		ts->family = AF_INET6;
		alen = 16;
	}
	else
	{
		return FALSE;
	}
	ts->proto = buf[1];
	ts->sport_lo = untoh16((void*)buf + 2);
	ts->sport_hi = untoh16((void*)buf + 4);
	ts->dport_lo = untoh16((void*)buf + 6);
	ts->dport_hi = untoh16((void*)buf + 8);
	buf += 10;
	memcpy(ts->src_lo, buf, alen); buf += alen;
	memcpy(ts->src_hi, buf, alen); buf += alen;
	memcpy(ts->dst_lo, buf, alen); buf += alen;
	memcpy(ts->dst_hi, buf, alen);
	return TRUE;
}

METHOD(mif_store_t, put_session, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, const mif_addr_t *hoa,
	const char *id, uint16_t seq)
{
	sqlite3_stmt *stmt = begin(this, STMT_PUT_SESSION);

	sqlite3_bind_int64(stmt, 1, sid);
	bind_addr(stmt, 2, hoa);
	if (id)
	{
		sqlite3_bind_text(stmt, 3, id, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(stmt, 4, seq);
	return end(this, stmt);
}

METHOD(mif_store_t, del_session, bool,
	private_mif_store_sqlite_t *this, uint64_t sid)
{
	stmt_t dels[] = {
		STMT_DEL_SESSION_BINDINGS,
		STMT_DEL_SESSION_FLOWS,
		STMT_DEL_SESSION_SAS,
	};
	sqlite3_stmt *stmt;
	bool ok = TRUE;
	int i;

	stmt = begin(this, STMT_DEL_SESSION);
	for (i = 0; i < countof(dels); i++)
	{
		sqlite3_bind_int64(this->stmts[dels[i]], 1, sid);
		ok = run(this, this->stmts[dels[i]]) && ok;
	}
	sqlite3_bind_int64(stmt, 1, sid);
	return end(this, stmt) && ok;
}

METHOD(mif_store_t, put_binding, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, const mif_binding_t *b,
	time_t expires)
{
	sqlite3_stmt *stmt = begin(this, STMT_PUT_BINDING);

	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, b->bid);
	bind_addr(stmt, 3, &b->coa);
	bind_addr(stmt, 4, &b->remote);
	sqlite3_bind_text(stmt, 5, b->ifname, strnlen(b->ifname, MIF_IFNAME_LEN),
					  SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 6, b->ifindex);
	sqlite3_bind_int(stmt, 7, b->prio);
	sqlite3_bind_int(stmt, 8, b->state);
	sqlite3_bind_int(stmt, 9, b->flags);
	sqlite3_bind_int(stmt, 10, b->seq);
	sqlite3_bind_int64(stmt, 11, b->lifetime);
	sqlite3_bind_int64(stmt, 12, expires);
	return end(this, stmt);
}

METHOD(mif_store_t, del_binding, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, uint16_t bid)
{
	sqlite3_stmt *stmt = begin(this, STMT_DEL_BINDING);

	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, bid);
	return end(this, stmt);
}

METHOD(mif_store_t, put_flow, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, const mif_flow_t *flow)
{
	sqlite3_stmt *stmt = begin(this, STMT_PUT_FLOW);
	uint8_t bids[MIF_FLOW_MAX_BIDS * 2], ts[74];
	int i, n = min(flow->nbids, MIF_FLOW_MAX_BIDS);

	for (i = 0; i < n; i++)
	{
		htoun16(bids + 2 * i, flow->bids[i]);
	}
	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, flow->fid);
	sqlite3_bind_int(stmt, 3, flow->prio);
	sqlite3_bind_int(stmt, 4, flow->action);
	sqlite3_bind_blob(stmt, 5, bids, 2 * n, SQLITE_TRANSIENT);
	sqlite3_bind_blob(stmt, 6, ts, encode_ts(&flow->ts, ts), SQLITE_TRANSIENT);
	return end(this, stmt);
}

METHOD(mif_store_t, del_flow, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, uint16_t fid)
{
	sqlite3_stmt *stmt = begin(this, STMT_DEL_FLOW);

	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, fid);
	return end(this, stmt);
}

METHOD(mif_store_t, put_sa, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, const mif_sa_ref_t *ref)
{
	sqlite3_stmt *stmt = begin(this, STMT_PUT_SA);

	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, ref->type);
	sqlite3_bind_int64(stmt, 3, ref->ike_id);
	sqlite3_bind_int64(stmt, 4, ref->spi_in);
	sqlite3_bind_int64(stmt, 5, ref->spi_out);
	sqlite3_bind_int64(stmt, 6, ref->reqid);
	sqlite3_bind_int(stmt, 7, ref->protocol);
	sqlite3_bind_int(stmt, 8, ref->bid);
	return end(this, stmt);
}

METHOD(mif_store_t, del_sa, bool,
	private_mif_store_sqlite_t *this, uint64_t sid, const mif_sa_ref_t *ref)
{
	sqlite3_stmt *stmt = begin(this, STMT_DEL_SA);

	sqlite3_bind_int64(stmt, 1, sid);
	sqlite3_bind_int(stmt, 2, ref->type);
	sqlite3_bind_int64(stmt, 3, ref->ike_id);
	sqlite3_bind_int64(stmt, 4, ref->spi_in);
	sqlite3_bind_int64(stmt, 5, ref->spi_out);
	return end(this, stmt);
}

METHOD(mif_store_t, flush, bool,
	private_mif_store_sqlite_t *this)
{
	bool ok;

	this->mutex->lock(this->mutex);
	ok = commit(this);
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Prepare a query, run a row callback on each row
 */
static bool query(private_mif_store_sqlite_t *this, const char *sql,
				  bool (*row)(sqlite3_stmt*, mif_store_loader_t*),
				  mif_store_loader_t *loader)
{
	sqlite3_stmt *stmt;
	bool ok = TRUE;
	int rc;

	if (sqlite3_prepare_v2(this->db, sql, -1, &stmt, NULL) != SQLITE_OK)
	{
		DBG1(DBG_CFG, "mif: sqlite query failed: %s", sqlite3_errmsg(this->db));
		return FALSE;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		if (!row(stmt, loader))
		{
			ok = FALSE;
			break;
		}
	}
	if (ok && rc != SQLITE_DONE)
	{
		DBG1(DBG_CFG, "mif: sqlite query failed: %s", sqlite3_errmsg(this->db));
		ok = FALSE;
	}
	sqlite3_finalize(stmt);
	return ok;
}

/**
 * Read an integer column, checking its range
 */
static bool column_range(sqlite3_stmt *stmt, int col, int64_t lo, int64_t hi,
						 int64_t *out)
{
	*out = sqlite3_column_int64(stmt, col);
	return *out >= lo && *out <= hi;
}

static bool session_row(sqlite3_stmt *stmt, mif_store_loader_t *loader)
{
	mif_addr_t hoa;
	int64_t seq;

	if (!decode_addr(stmt, 1, &hoa) || !column_range(stmt, 3, 0, 0xffff, &seq))
	{
		DBG1(DBG_CFG, "mif: skipping malformed stored session");
		return TRUE;
	}
	return loader->session(loader, sqlite3_column_int64(stmt, 0), &hoa,
						   (const char*)sqlite3_column_text(stmt, 2), seq);
}

static bool binding_row(sqlite3_stmt *stmt, mif_store_loader_t *loader)
{
	mif_binding_t b = {};
	const char *ifname;
	int64_t bid, ifindex, prio, state, flags, seq, lifetime;

	if (!decode_addr(stmt, 2, &b.coa) || !decode_addr(stmt, 3, &b.remote))
	{
		DBG1(DBG_CFG, "mif: skipping stored binding with malformed address");
		return TRUE;
	}
	if (!column_range(stmt, 1, 1, 0xffff, &bid) ||
		!column_range(stmt, 5, 0, 0xffffffff, &ifindex) ||
		!column_range(stmt, 6, 0, 127, &prio) ||
		!column_range(stmt, 7, MIF_BINDING_PROBING, MIF_BINDING_STANDBY,
					  &state) ||
		!column_range(stmt, 8, 0, MIF_REG_HOME, &flags) ||
		!column_range(stmt, 9, 0, 0xffff, &seq) ||
		!column_range(stmt, 10, 1, MIF_LIFETIME_MAX, &lifetime))
	{
		DBG1(DBG_CFG, "mif: skipping stored binding with invalid values");
		return TRUE;
	}
	b.bid = bid;
	ifname = (const char*)sqlite3_column_text(stmt, 4);
	if (ifname)
	{
		strncpy(b.ifname, ifname, MIF_IFNAME_LEN - 1);
	}
	b.ifindex = ifindex;
	b.prio = prio;
	b.state = state;
	b.flags = flags;
	b.seq = seq;
	b.lifetime = lifetime;
	return loader->binding(loader, sqlite3_column_int64(stmt, 0), &b,
						   sqlite3_column_int64(stmt, 11));
}

static bool flow_row(sqlite3_stmt *stmt, mif_store_loader_t *loader)
{
	mif_flow_t flow = {};
	const uint8_t *bids;
	int64_t fid, prio, action;
	int i, len;

	bids = sqlite3_column_blob(stmt, 4);
	len = sqlite3_column_bytes(stmt, 4);
	if (!column_range(stmt, 1, 1, 0xffff, &fid) ||
		!column_range(stmt, 2, 1, 0xffff, &prio) ||
		!column_range(stmt, 3, MIF_FLOW_BIDS, MIF_FLOW_HOME, &action) ||
		len % 2 || len > 2 * MIF_FLOW_MAX_BIDS ||
		!decode_ts(sqlite3_column_blob(stmt, 5),
				   sqlite3_column_bytes(stmt, 5), &flow.ts))
	{
		DBG1(DBG_CFG, "mif: skipping malformed stored flow");
		return TRUE;
	}
	flow.fid = fid;
	flow.prio = prio;
	flow.action = action;
	flow.nbids = len / 2;
	for (i = 0; i < flow.nbids; i++)
	{
		flow.bids[i] = untoh16((void*)(bids + 2 * i));
	}
	return loader->flow(loader, sqlite3_column_int64(stmt, 0), &flow);
}

static bool sa_row(sqlite3_stmt *stmt, mif_store_loader_t *loader)
{
	int64_t type, ike_id, spi_in, spi_out, reqid, protocol, bid;
	mif_sa_ref_t ref;

	if (!column_range(stmt, 1, MIF_SA_IKE, MIF_SA_RFC6618, &type) ||
		!column_range(stmt, 2, 0, 0xffffffff, &ike_id) ||
		!column_range(stmt, 3, 0, 0xffffffff, &spi_in) ||
		!column_range(stmt, 4, 0, 0xffffffff, &spi_out) ||
		!column_range(stmt, 5, 0, 0xffffffff, &reqid) ||
		!column_range(stmt, 6, 0, 0xff, &protocol) ||
		!column_range(stmt, 7, 0, 0xffff, &bid))
	{
		DBG1(DBG_CFG, "mif: skipping malformed stored SA reference");
		return TRUE;
	}
	ref = (mif_sa_ref_t){
		.type = type,
		.ike_id = ike_id,
		.spi_in = spi_in,
		.spi_out = spi_out,
		.reqid = reqid,
		.protocol = protocol,
		.bid = bid,
	};
	return loader->sa(loader, sqlite3_column_int64(stmt, 0), &ref);
}

METHOD(mif_store_t, load, bool,
	private_mif_store_sqlite_t *this, mif_store_loader_t *loader)
{
	bool ok;

	this->mutex->lock(this->mutex);
	ok = commit(this) &&
		 query(this, "SELECT sid, hoa, id, seq FROM sessions ORDER BY sid",
			   session_row, loader) &&
		 query(this, "SELECT sid, bid, coa, remote, ifname, ifindex, prio, "
			   "state, flags, seq, lifetime, expires FROM bindings",
			   binding_row, loader) &&
		 query(this, "SELECT sid, fid, prio, action, bids, ts FROM flows",
			   flow_row, loader) &&
		 query(this, "SELECT sid, type, ike_id, spi_in, spi_out, reqid, "
			   "protocol, bid FROM sas", sa_row, loader);
	this->mutex->unlock(this->mutex);
	return ok;
}

METHOD(mif_store_t, destroy, void,
	private_mif_store_sqlite_t *this)
{
	int i;

	flush(this);
	for (i = 0; i < STMT_MAX; i++)
	{
		sqlite3_finalize(this->stmts[i]);
	}
	sqlite3_close(this->db);
	this->mutex->destroy(this->mutex);
	free(this);
}

/**
 * Create the directory containing path, if missing
 */
static void create_parent(const char *path)
{
	char *dir, *pos;

	dir = strdup(path);
	pos = strrchr(dir, '/');
	if (pos && pos != dir)
	{
		*pos = '\0';
		if (!mkdir_p(dir, S_IRWXU))
		{
			DBG1(DBG_CFG, "mif: creating directory %s failed: %s", dir,
				 strerror(errno));
		}
	}
	free(dir);
}

/**
 * Open the database, set it up and prepare statements
 */
static bool open_db(private_mif_store_sqlite_t *this, const char *path)
{
	char *err = NULL;
	int i, version = -1;
	sqlite3_stmt *stmt;

	if (sqlite3_open_v2(path, &this->db, SQLITE_OPEN_READWRITE |
						SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
						NULL) != SQLITE_OK)
	{
		DBG1(DBG_CFG, "mif: opening database '%s' failed: %s", path,
			 this->db ? sqlite3_errmsg(this->db) : "out of memory");
		return FALSE;
	}
	sqlite3_busy_timeout(this->db, 5000);
	if (sqlite3_prepare_v2(this->db, "PRAGMA user_version", -1, &stmt,
						   NULL) == SQLITE_OK)
	{
		if (sqlite3_step(stmt) == SQLITE_ROW)
		{
			version = sqlite3_column_int(stmt, 0);
		}
		sqlite3_finalize(stmt);
	}
	if (version != 0 && version != SCHEMA_VERSION)
	{
		DBG1(DBG_CFG, "mif: database '%s' has unsupported schema version %d",
			 path, version);
		return FALSE;
	}
	if (sqlite3_exec(this->db, "PRAGMA journal_mode=WAL;"
					 "PRAGMA synchronous=NORMAL;", NULL, NULL, &err) != SQLITE_OK ||
		sqlite3_exec(this->db, schema, NULL, NULL, &err) != SQLITE_OK ||
		sqlite3_exec(this->db, "PRAGMA user_version=1;", NULL, NULL,
					 &err) != SQLITE_OK)
	{
		DBG1(DBG_CFG, "mif: setting up database '%s' failed: %s", path, err);
		sqlite3_free(err);
		return FALSE;
	}
	for (i = 0; i < STMT_MAX; i++)
	{
		if (sqlite3_prepare_v2(this->db, stmt_sql[i], -1, &this->stmts[i],
							   NULL) != SQLITE_OK)
		{
			DBG1(DBG_CFG, "mif: preparing statement failed: %s",
				 sqlite3_errmsg(this->db));
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * Described in header
 */
mif_store_t *mif_store_sqlite_create(const char *path)
{
	private_mif_store_sqlite_t *this;
	int i;

	if (!path || !*path)
	{
		return NULL;
	}
	INIT(this,
		.public = {
			.put_session = _put_session,
			.del_session = _del_session,
			.put_binding = _put_binding,
			.del_binding = _del_binding,
			.put_flow = _put_flow,
			.del_flow = _del_flow,
			.put_sa = _put_sa,
			.del_sa = _del_sa,
			.flush = _flush,
			.load = _load,
			.destroy = _destroy,
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	create_parent(path);
	if (!open_db(this, path))
	{
		for (i = 0; i < STMT_MAX; i++)
		{
			sqlite3_finalize(this->stmts[i]);
		}
		sqlite3_close(this->db);
		this->mutex->destroy(this->mutex);
		free(this);
		return NULL;
	}
	DBG2(DBG_CFG, "mif: using binding database '%s'", path);
	return &this->public;
}
