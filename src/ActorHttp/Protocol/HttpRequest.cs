using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace ActorHttp.Protocol;

/// <summary>A complete, validated HTTP/1.x request as the parser hands it to the rest of the server.</summary>
public sealed record HttpRequest
{
    /// <summary>The method token exactly as sent (methods are case-sensitive, RFC 9110 §9.1).</summary>
    public required string Method { get; init; }

    /// <summary>
    /// The request-target as it appeared on the request line, undecoded, less any <c>#fragment</c>: a
    /// fragment is the client's alone (RFC 9110 §4.2.5), so it is dropped before anything sees the target.
    /// </summary>
    public required string Target { get; init; }

    /// <summary>
    /// The path: percent-decoded (except <c>%2F</c>; a <c>%</c> not followed by two hex digits stays
    /// literal), dot-segments removed; <c>*</c> for <c>OPTIONS *</c>.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>The query as sent (undecoded, a malformed <c>%</c> included), without the leading <c>?</c>; empty when absent.</summary>
    public required string Query { get; init; }

    /// <summary>HTTP/1.1 or HTTP/1.0.</summary>
    public required HttpVersion Version { get; init; }

    /// <summary>The header fields in the order sent; look one up by name with <c>Headers["Name"]</c> (any case).</summary>
    public required HttpHeaders Headers { get; init; }

    /// <summary>The de-chunked body; empty when the request had none, or when it is streamed (<see cref="BodyStreamed"/>).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// True when the body is not here but follows in pieces, read on demand by the handler (a route
    /// registered with a streamed-body limit, such as uploads).
    /// </summary>
    public bool BodyStreamed { get; init; }

    /// <summary>Trailer fields that followed a chunked body (RFC 9112 §7.1.2).</summary>
    public HttpHeaders Trailers { get; init; } = HttpHeaders.Empty;

    /// <summary>Whether the connection may carry another request after this one (RFC 9112 §9.3).</summary>
    public required bool KeepAlive { get; init; }

    /// <summary>Values bound by the route template (<c>/users/{id}</c>), set by the router.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; init; } = EmptyRouteValues;

    /// <summary>The <c>Host</c> field, if any.</summary>
    public string? Host => Headers["Host"];

    /// <summary>
    /// The query, parsed as ASP.NET Core parses it (<see cref="QueryHelpers.ParseQuery(string)"/>):
    /// names looked up case-insensitively, every value of a repeated name kept in order, <c>+</c> read
    /// as a space and percent-escapes decoded. Parsed on first read, once per request; its size is
    /// bounded by the request line's (<c>limits.max-request-line</c>).
    /// </summary>
    public IReadOnlyDictionary<string, StringValues> QueryValues => _queryValues.For(Query);

    private static readonly IReadOnlyDictionary<string, string> EmptyRouteValues = new Dictionary<string, string>();

    // Shared by the copies `with` makes (the router's copy carries the route values); it re-parses
    // if a copy was given another query. Equal to every other, so records still compare by their fields.
    private readonly ParsedQuery _queryValues = new();

    private sealed class ParsedQuery
    {
        private static readonly IReadOnlyDictionary<string, StringValues> None = new Dictionary<string, StringValues>();

        // One reference, swapped whole, so a reader on another thread never sees half of it.
        private Parsed? _parsed;

        public IReadOnlyDictionary<string, StringValues> For(string query)
        {
            if (Volatile.Read(ref _parsed) is { } parsed && ReferenceEquals(parsed.Source, query))
            {
                return parsed.Values;
            }

            IReadOnlyDictionary<string, StringValues> values = query.Length == 0 ? None : QueryHelpers.ParseQuery(query);
            Volatile.Write(ref _parsed, new Parsed(query, values));
            return values;
        }

        private sealed record Parsed(string Source, IReadOnlyDictionary<string, StringValues> Values);

        public override bool Equals(object? obj) => obj is ParsedQuery;

        public override int GetHashCode() => 0;
    }
}
