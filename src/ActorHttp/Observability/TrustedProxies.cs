using System.Net;

namespace ActorHttp.Observability;

/// <summary>
/// <c>actorhttp.server.trusted-proxies</c>: the addresses and networks of the proxies in front of the
/// server. Only when the connection's peer is one of them is <c>X-Forwarded-For</c> believed, and
/// then its rightmost address that is not itself a trusted proxy is the client (the leftmost ones
/// are whatever the client chose to send; each trusted hop appends the address it saw).
/// </summary>
public sealed class TrustedProxies
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    private readonly IPNetwork[] _networks;

    public TrustedProxies(IReadOnlyList<IPNetwork> networks) => _networks = [.. networks];

    public static TrustedProxies None { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses <c>192.0.2.7</c>, <c>10.0.0.0/8</c>, <c>::1</c>, <c>fd00::/8</c>; a bad entry throws naming it.</summary>
    public static TrustedProxies Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                address = Normalize(address);
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32));
            }
            else
            {
                throw new Akka.Configuration.ConfigurationException($"actorhttp.server.trusted-proxies: \"{entry}\" is neither an IP address nor a network in CIDR notation (10.0.0.0/8)");
            }
        }

        return new TrustedProxies(networks);
    }

    public bool IsTrusted(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The client of a request that came from <paramref name="peer"/> carrying
    /// <paramref name="forwardedFor"/>: the peer itself unless it is trusted; else the rightmost hop
    /// that is not trusted (the leftmost valid hop when every one is trusted). A malformed hop ends
    /// the walk: nothing left of it can be believed, and the last trusted address stands.
    /// </summary>
    public IPAddress? ClientOf(IPAddress? peer, string? forwardedFor)
    {
        if (string.IsNullOrEmpty(forwardedFor) || !IsTrusted(peer))
        {
            return peer;
        }

        var client = peer;
        var hops = forwardedFor.AsSpan();
        // At most this many hops are looked at: the field's length is bounded by the header limits,
        // and no honest chain of proxies is longer.
        for (var walked = 0; walked < 32 && !hops.IsEmpty; walked++)
        {
            var comma = hops.LastIndexOf(',');
            var hop = hops[(comma + 1)..].Trim();
            hops = comma < 0 ? [] : hops[..comma];
            if (!TryParseHop(hop, out var address))
            {
                break;
            }

            client = address;
            if (!IsTrusted(address))
            {
                break;
            }
        }

        return client;
    }

    /// <summary>An address as a proxy writes it: bare, <c>[v6]</c>, or either with a port.</summary>
    private static bool TryParseHop(ReadOnlySpan<char> hop, out IPAddress address)
    {
        if (IPAddress.TryParse(hop, out address!))
        {
            address = Normalize(address);
            return true;
        }

        if (IPEndPoint.TryParse(hop, out var endpoint))
        {
            address = Normalize(endpoint.Address);
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    // A dual-mode socket reports IPv4 peers as ::ffff:a.b.c.d; the configured networks say a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
