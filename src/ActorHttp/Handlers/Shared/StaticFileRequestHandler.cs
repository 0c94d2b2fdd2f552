using System.Diagnostics.CodeAnalysis;
using ActorHttp.Handlers.StaticFiles;
using ActorHttp.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ActorHttp.Handlers.Shared;

/// <summary>
/// Static files for the models that call handlers directly: the same decisions as the actor model's
/// <c>StaticFileHandler</c> (<see cref="StaticFilePlanner"/>: safe paths, index files, content
/// types, validators, conditional requests, ranges, HEAD, precompressed siblings) and the same
/// small-file cache, with the bytes sent the plain way: a range that fits in one chunk
/// (<see cref="StaticFileSettings.ChunkBytes"/>, 64 KiB by default) as the whole body, a larger one
/// as a <see cref="HttpResponse.BodyStream"/> the host copies at the client's pace. Safe to call from
/// any number of threads at once.
/// </summary>
public sealed class StaticFileRequestHandler(StaticFileSettings settings) : IRequestHandler
{
    private readonly StaticFilePlanner _planner = new(settings);
    private readonly SmallFileCache _cache = new(settings.CacheBytes);

    /// <summary>Reads a body that fits in one chunk with blocking reads, which the thread models expect.</summary>
    public HttpResponse Handle(HttpRequest request)
    {
        if (TryAnswerWithoutReading(request, FileOptions.None, out var answer, out var send, out var file))
        {
            return answer;
        }

        using (file)
        {
            var content = new byte[send.Range.Length];
            var filled = 0;
            int read;
            do
            {
                read = RandomAccess.Read(file, content.AsSpan(filled), send.Range.First + filled);
                filled += read;
            }
            while (read > 0 && filled < content.Length);

            return Whole(send, content, filled);
        }
    }

    /// <summary>Reads a body that fits in one chunk with awaited reads, holding no thread meanwhile.</summary>
    public async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (TryAnswerWithoutReading(request, FileOptions.Asynchronous, out var answer, out var send, out var file))
        {
            return answer;
        }

        using (file)
        {
            var content = new byte[send.Range.Length];
            var filled = 0;
            int read;
            do
            {
                read = await RandomAccess.ReadAsync(file, content.AsMemory(filled), send.Range.First + filled, cancellationToken).ConfigureAwait(false);
                filled += read;
            }
            while (read > 0 && filled < content.Length);

            return Whole(send, content, filled);
        }
    }

    /// <summary>
    /// Everything but the reading, the same in both forms: true with the answer when no body is to be
    /// read into memory here (complete, head only, cached, unreadable, or streamed); false with
    /// <paramref name="file"/> opened (with <paramref name="options"/>) to read the range of
    /// <paramref name="send"/>, which fits in one chunk.
    /// </summary>
    private bool TryAnswerWithoutReading(
        HttpRequest request,
        FileOptions options,
        [NotNullWhen(true)] out HttpResponse? answer,
        [NotNullWhen(false)] out StaticFilePlan.SendFile? send,
        [NotNullWhen(false)] out SafeFileHandle? file)
    {
        var plan = _planner.Plan(request);
        send = null;
        file = null;
        answer = Answer(plan);
        if (answer is not null)
        {
            return true;
        }

        send = (StaticFilePlan.SendFile)plan;
        if (!TryOpen(send, options, out file, out var refusal))
        {
            answer = refusal;
            return true;
        }

        if (!FitsInOneChunk(send))
        {
            answer = Streamed(send, file);
            return true;
        }

        return false;
    }

    /// <summary>The answer when the plan needs no file opened (null when it does): complete, head only, or from the cache.</summary>
    private HttpResponse? Answer(StaticFilePlan plan) => plan switch
    {
        StaticFilePlan.Complete complete => complete.Response,
        // Nothing to read, so nothing to stream: an empty body is complete, and a HEAD's host sends
        // the head alone whatever the stream holds.
        StaticFilePlan.HeadOnly { Length: 0 } empty => empty.Head,
        StaticFilePlan.HeadOnly headOnly => headOnly.Head with { Streamed = true, StreamLength = headOnly.Length, BodyStream = Stream.Null },
        StaticFilePlan.SendFile send when _cache.TryGet(send.File, out var cached) =>
            send.Head with { Body = cached.AsMemory((int)send.Range.First, (int)send.Range.Length) },
        _ => null,
    };

    private bool FitsInOneChunk(StaticFilePlan.SendFile send) => send.Range.Length <= settings.ChunkBytes;

    private static bool TryOpen(StaticFilePlan.SendFile send, FileOptions options, [NotNullWhen(true)] out SafeFileHandle? file, out HttpResponse refusal)
    {
        refusal = StaticFilePlanner.Unreadable;
        try
        {
            file = File.OpenHandle(send.File.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, options | FileOptions.SequentialScan);
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            file = null;
            return false;
        }
    }

    private static HttpResponse Streamed(StaticFilePlan.SendFile send, SafeFileHandle file) => send.Head with
    {
        Streamed = true,
        StreamLength = send.Range.Length,
        BodyStream = new FileRangeStream(file, send.Range.First, send.Range.Length),
    };

    private HttpResponse Whole(StaticFilePlan.SendFile send, byte[] content, int filled)
    {
        // The file shrank after its size was taken: the answer cannot be completed honestly.
        if (filled < content.Length)
        {
            return StaticFilePlanner.ChangedWhileRead;
        }

        if (send.IsWholeFile)
        {
            _cache.Remember(send.File, content);
        }

        return send.Head with { Body = content };
    }
}
