using System.Diagnostics;
using System.Security.Cryptography;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// <c>GET /cpu?us=N</c>: burns N microseconds of CPU (default 1000, at most 1,000,000) hashing with
/// SHA-256, then answers how many hashes it computed. CPU work has no asynchronous form: it runs on
/// whatever thread calls it, which is what the study compares (an event loop stalls meanwhile).
/// </summary>
public sealed class CpuRequestHandler : RequestHandler
{
    public const int DefaultMicroseconds = 1000;
    public const int MaxMicroseconds = 1_000_000;

    private static readonly WholeNumberParameter Duration = new("us", DefaultMicroseconds, MaxMicroseconds);

    public override HttpResponse Handle(HttpRequest request)
    {
        if (!Duration.TryRead(request, out var microseconds))
        {
            return Duration.Invalid;
        }

        var hashes = Burn(TimeSpan.FromMicroseconds(microseconds));
        return HttpResponse.Text(200, $"Computed {hashes} SHA-256 hashes in {microseconds} us.\n");
    }

    /// <summary>Hashes until <paramref name="duration"/> has passed; returns how many hashes that took.</summary>
    private static long Burn(TimeSpan duration)
    {
        // Each hash is taken of the previous one, so no step can be skipped or hoisted out of the loop.
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var started = Stopwatch.GetTimestamp();
        long hashes = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            SHA256.HashData(digest, digest);
            hashes++;
        }

        return hashes;
    }
}
