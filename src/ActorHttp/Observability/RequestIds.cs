using System.Buffers;
using System.Diagnostics;

namespace ActorHttp.Observability;

/// <summary>
/// <c>X-Request-Id</c>: the client's (or the proxy's in front) when it is a sane token, otherwise
/// one made here. A value longer than <see cref="MaxLength"/> or with characters outside
/// <c>A-Z a-z 0-9 - _ . : @ + = /</c> is replaced, not trimmed: a log line must not carry what an
/// attacker chose to smuggle into it (control characters, quotes, megabytes).
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>Longest id taken from a request; 128 covers UUIDs, trace ids and nginx's <c>$request_id</c> with room to spare.</summary>
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:@+=/");

    /// <summary>The id of a request whose <c>X-Request-Id</c> field is <paramref name="sent"/> (null when absent).</summary>
    public static string For(string? sent) => IsValid(sent) ? sent! : Generate();

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && !value.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>A new id: 16 random bytes as 32 hex digits (the shape of a W3C trace id), unique without coordination.</summary>
    public static string Generate() => ActivityTraceId.CreateRandom().ToHexString();
}
