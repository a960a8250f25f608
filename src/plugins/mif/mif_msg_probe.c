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

#include "mif_msg_priv.h"

#include <string.h>

/** label binding the probe key to its purpose and protocol version */
#define PROBE_KEY_LABEL "strongswan-mif probe v1"

/** octets before the address: header, SPIs, BID, Seq, number, cookie, port */
#define PROBE_FIXED_LEN 48

/**
 * Expected datagram length for an address family code, 0 if unknown.
 */
static size_t probe_len(uint8_t afn)
{
	switch (afn)
	{
		case MIF_AFN_IPV4:
			return MIF_MSG_PROBE_LEN_V4;
		case MIF_AFN_IPV6:
			return MIF_MSG_PROBE_LEN_V6;
		default:
			return 0;
	}
}

/**
 * Create the signer for probe tags, keyed.
 */
static mif_msg_status_t create_signer(chunk_t key, signer_t **signer,
									  const char **reason)
{
	if (key.len != MIF_MSG_PROBE_KEY_LEN)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
							"probe key length is not 32");
	}
	*signer = lib->crypto->create_signer(lib->crypto, AUTH_HMAC_SHA2_256_128);
	if (!*signer)
	{
		return mif_msg_fail(reason, MIF_MSG_NO_CRYPTO,
							"HMAC-SHA256 not available");
	}
	if (!(*signer)->set_key(*signer, key))
	{
		(*signer)->destroy(*signer);
		return mif_msg_fail(reason, MIF_MSG_NO_CRYPTO,
							"setting probe key failed");
	}
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_parse_probe(chunk_t data, mif_msg_probe_t *out,
									 const char **reason)
{
	bio_reader_t *reader;
	uint8_t version, type, afn;
	uint16_t port, reserved;
	chunk_t chunk;
	size_t len;
	host_t *host;

	memset(out, 0, sizeof(*out));
	if (data.len < 4)
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED, "truncated probe");
	}
	version = data.ptr[0];
	type = data.ptr[1];
	afn = data.ptr[3];
	if (version != MIF_MSG_VERSION)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VERSION,
							"unsupported probe version");
	}
	if (type != MIF_PROBE_REQUEST && type != MIF_PROBE_REPLY)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "unknown probe type");
	}
	len = probe_len(afn);
	if (!len)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS,
							"unknown address family");
	}
	if (data.len < len)
	{
		return mif_msg_fail(reason, MIF_MSG_TRUNCATED, "truncated probe");
	}
	if (data.len > len)
	{
		return mif_msg_fail(reason, MIF_MSG_TRAILING,
							"trailing data after probe tag");
	}
	out->type = type;
	out->flags = data.ptr[2];

	reader = bio_reader_create(chunk_skip(data, 4));
	/* lengths are checked above, these reads can not fail */
	reader->read_data(reader, 8, &chunk);
	memcpy(&out->spi_i, chunk.ptr, 8);
	reader->read_data(reader, 8, &chunk);
	memcpy(&out->spi_r, chunk.ptr, 8);
	reader->read_uint16(reader, &out->bid);
	reader->read_uint16(reader, &out->seq);
	reader->read_uint32(reader, &out->number);
	reader->read_data(reader, MIF_MSG_COOKIE_LEN, &chunk);
	memcpy(out->cookie, chunk.ptr, MIF_MSG_COOKIE_LEN);
	reader->read_uint16(reader, &port);
	reader->read_uint16(reader, &reserved);
	reader->read_data(reader, len - PROBE_FIXED_LEN - MIF_MSG_TAG_LEN, &chunk);
	reader->destroy(reader);

	if (!out->spi_i || !out->spi_r)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "IKE SPI is zero");
	}
	if (out->bid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
	}
	if (port == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "probe port is zero");
	}
	host = host_create_from_chunk(afn == MIF_AFN_IPV4 ? AF_INET : AF_INET6,
								  chunk, port);
	if (!host)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_ADDRESS, "invalid address");
	}
	if (!mif_msg_check_address(host, reason))
	{
		host->destroy(host);
		return MIF_MSG_BAD_ADDRESS;
	}
	out->addr = host;
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_verify_probe(chunk_t data, chunk_t key,
									  const char **reason)
{
	mif_msg_status_t status;
	signer_t *signer;
	chunk_t body, tag;
	bool valid;

	if (data.len != MIF_MSG_PROBE_LEN_V4 && data.len != MIF_MSG_PROBE_LEN_V6)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_LENGTH,
							"probe length invalid");
	}
	status = create_signer(key, &signer, reason);
	if (status != MIF_MSG_OK)
	{
		return status;
	}
	body = chunk_create(data.ptr, data.len - MIF_MSG_TAG_LEN);
	tag = chunk_skip(data, data.len - MIF_MSG_TAG_LEN);
	/* constant time comparison inside the signer */
	valid = signer->verify_signature(signer, body, tag);
	signer->destroy(signer);
	if (!valid)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_TAG, "probe tag invalid");
	}
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_build_probe(const mif_msg_probe_t *in, chunk_t key,
									 chunk_t *out, const char **reason)
{
	mif_msg_status_t status;
	bio_writer_t *writer;
	signer_t *signer;
	chunk_t body, tag;

	*out = chunk_empty;
	if (in->type != MIF_PROBE_REQUEST && in->type != MIF_PROBE_REPLY)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "unknown probe type");
	}
	if (!in->spi_i || !in->spi_r)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "IKE SPI is zero");
	}
	if (in->bid == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "BID is zero");
	}
	if (!mif_msg_check_address(in->addr, reason))
	{
		return MIF_MSG_BAD_ADDRESS;
	}
	if (in->addr->get_port(in->addr) == 0)
	{
		return mif_msg_fail(reason, MIF_MSG_BAD_VALUE, "probe port is zero");
	}
	status = create_signer(key, &signer, reason);
	if (status != MIF_MSG_OK)
	{
		return status;
	}
	writer = bio_writer_create(MIF_MSG_PROBE_LEN_V6);
	writer->write_uint8(writer, MIF_MSG_VERSION);
	writer->write_uint8(writer, in->type);
	writer->write_uint8(writer, in->flags);
	writer->write_uint8(writer, in->addr->get_family(in->addr) == AF_INET ?
						MIF_AFN_IPV4 : MIF_AFN_IPV6);
	writer->write_data(writer, chunk_create((u_char*)&in->spi_i, 8));
	writer->write_data(writer, chunk_create((u_char*)&in->spi_r, 8));
	writer->write_uint16(writer, in->bid);
	writer->write_uint16(writer, in->seq);
	writer->write_uint32(writer, in->number);
	writer->write_data(writer, chunk_create((u_char*)in->cookie,
											MIF_MSG_COOKIE_LEN));
	writer->write_uint16(writer, in->addr->get_port(in->addr));
	writer->write_uint16(writer, 0);
	writer->write_data(writer, in->addr->get_address(in->addr));
	tag = writer->skip(writer, MIF_MSG_TAG_LEN);
	/* skip() may have reallocated, so take the body only now */
	body = writer->get_buf(writer);
	body.len -= MIF_MSG_TAG_LEN;
	if (!signer->get_signature(signer, body, tag.ptr))
	{
		signer->destroy(signer);
		writer->destroy(writer);
		return mif_msg_fail(reason, MIF_MSG_NO_CRYPTO,
							"computing probe tag failed");
	}
	signer->destroy(signer);
	*out = writer->extract_buf(writer);
	writer->destroy(writer);
	return MIF_MSG_OK;
}

/*
 * Described in header
 */
void mif_msg_probe_clear(mif_msg_probe_t *msg)
{
	DESTROY_IF(msg->addr);
	msg->addr = NULL;
}

/*
 * Described in header
 */
mif_msg_status_t mif_msg_derive_probe_key(chunk_t seed_sender,
										  chunk_t seed_receiver,
										  uint64_t spi_i, uint64_t spi_r,
										  chunk_t *key)
{
	prf_t *prf;
	chunk_t prf_key, seed;
	bool ok;

	*key = chunk_empty;
	if (seed_sender.len != MIF_MSG_SEED_LEN ||
		seed_receiver.len != MIF_MSG_SEED_LEN)
	{
		return MIF_MSG_BAD_LENGTH;
	}
	prf = lib->crypto->create_prf(lib->crypto, PRF_HMAC_SHA2_256);
	if (!prf)
	{
		return MIF_MSG_NO_CRYPTO;
	}
	prf_key = chunk_cata("cc", seed_sender, seed_receiver);
	seed = chunk_cata("ccc", chunk_from_str(PROBE_KEY_LABEL),
					  chunk_create((u_char*)&spi_i, 8),
					  chunk_create((u_char*)&spi_r, 8));
	ok = prf->set_key(prf, prf_key) && prf->allocate_bytes(prf, seed, key);
	prf->destroy(prf);
	memwipe(prf_key.ptr, prf_key.len);
	if (!ok || key->len != MIF_MSG_PROBE_KEY_LEN)
	{
		chunk_clear(key);
		return MIF_MSG_NO_CRYPTO;
	}
	return MIF_MSG_OK;
}
