package io.ctagent.net;

import java.math.BigInteger;

import io.ctagent.problem.InvalidInput;

/**
 * An address or a network (address/prefix), the one address model of every feature. Parsed strictly (no
 * resolver, no leading zeros, no zone ids, no host bits after the prefix); a bare address is a single host.
 * Which networks a feature accepts (a /0, a shortest prefix) is the feature's rule, not this type's.
 */
public record Cidr(IpAddress network, int prefix) {

    /** "10.0.0.0/8", "2001:db8::/32" or a single address; a 400 naming {@code field} otherwise. */
    public static Cidr parse(String field, String text) {
        int slash = text.indexOf('/');
        IpAddress address = IpAddress.parse(field, slash < 0 ? text : text.substring(0, slash));
        int bits = IpAddress.bits(address.family());
        if (slash < 0) {
            return new Cidr(address, bits);
        }
        int prefix = prefix(text.substring(slash + 1), bits);
        if (prefix < 0) {
            throw new InvalidInput(field, field + " '" + text + "' needs a prefix length from 0 to " + bits
                    + " after the /");
        }
        Cidr cidr = new Cidr(address, prefix);
        if ((address.hi() & ~cidr.maskHi()) != 0 || (address.lo() & ~cidr.maskLo()) != 0) {
            IpAddress network = new IpAddress(address.family(), address.hi() & cidr.maskHi(),
                    address.lo() & cidr.maskLo());
            throw new InvalidInput(field, field + " '" + text + "' has host bits set after the /" + prefix
                    + " prefix; the network is " + network + "/" + prefix + ": did you mean that?");
        }
        return cidr;
    }

    /** A plain decimal prefix length up to bits (no sign, no leading zero), or -1. */
    private static int prefix(String text, int bits) {
        if (text.isEmpty() || text.length() > 3 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= bits ? value : -1;
    }

    public Family family() {
        return network.family();
    }

    public boolean isSingleAddress() {
        return prefix == IpAddress.bits(network.family());
    }

    public boolean contains(Family family, long hi, long lo) {
        return family == network.family() && (hi & maskHi()) == network.hi() && (lo & maskLo()) == network.lo();
    }

    /** The first address of this network as a number: with {@link #end()}, [first, end) for set arithmetic. */
    public BigInteger first() {
        if (network.family() == Family.IPV4) {
            return BigInteger.valueOf(network.lo());
        }
        return unsigned(network.hi()).shiftLeft(64).or(unsigned(network.lo()));
    }

    public BigInteger end() {
        return first().add(BigInteger.ONE.shiftLeft(IpAddress.bits(network.family()) - prefix));
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(1, new byte[] {(byte) (value >>> 56), (byte) (value >>> 48), (byte) (value >>> 40),
            (byte) (value >>> 32), (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private long maskHi() {
        if (network.family() == Family.IPV4) {
            return 0;
        }
        return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private long maskLo() {
        if (network.family() == Family.IPV4) {
            return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        }
        return prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    /**
     * The address alone for a single host, else network/prefix; an IPv4-mapped IPv6 address with its
     * dotted quad (::ffff:10.1.2.3), as conntrack prints it.
     */
    @Override
    public String toString() {
        return isSingleAddress() ? network.toString() : network + "/" + prefix;
    }

    /**
     * Always network/prefix, IPv6 all in hex groups (::ffff:a01:203/128): the form NOTRACK rules have
     * always been written, stored and shown in, so rules made before stay equal to their text.
     */
    public String withPrefix() {
        return IpAddress.format(network.family(), network.hi(), network.lo(), false) + "/" + prefix;
    }
}
