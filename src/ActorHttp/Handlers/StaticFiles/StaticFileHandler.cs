using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using ActorHttp.Actors;
using ActorHttp.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorHttp.Handlers.StaticFiles;

/// <summary>
/// Serves files below a root folder for GET and HEAD: content type from a table, <c>index.html</c>
/// for folders, validators and conditional requests (RFC 9110 §8.8, §13), single byte ranges
/// (§14), bodies streamed chunk by chunk at the client's pace, and precompressed siblings
/// (<c>app.js.br</c>, <c>app.js.gz</c>) in place of the file for clients that accept them, as nginx's
/// <c>gzip_static</c>. Nothing outside the root is ever served: encoded slashes, hidden names and
/// symbolic links leading out are refused.
/// </summary>
public sealed class StaticFileHandler(StaticFileSettings settings) : HttpHandlerActor
{
    // The first chunk of a streamed file: enough for a browser to start on it, small enough that the
    // answers to many pipelined requests waiting their turn cost little (see Step).
    private const int FirstChunkBytes = 4096;

    private readonly Dictionary<(IActorRef Connection, long Sequence), Transfer> _transfers = [];

    // Small files read whole, kept by full path; an entry serves only while the file's size and
    // modification time (taken for every request anyway) are unchanged, like nginx's open_file_cache.
    private readonly Dictionary<string, CachedFile> _cache = new(StringComparer.Ordinal);
    private long _cachedBytes;

    public static Props Props(StaticFileSettings settings) => Akka.Actor.Props.Create(() => new StaticFileHandler(settings));

    protected override void OnRequest(RequestContext context)
    {
        var request = context.Request;
        var rest = request.RouteValues.TryGetValue("path", out var value) ? value : string.Empty;
        if (!TryResolve(rest, out var fullPath, out var refusal))
        {
            context.Respond(refusal!);
            return;
        }

        if (Directory.Exists(fullPath))
        {
            ServeFolder(context, fullPath);
            return;
        }

        if (!File.Exists(fullPath))
        {
            context.Respond(NotFound(request.Path));
            return;
        }

        // A link's own size and time describe the link; the answer is about the file it leads to
        // (TryResolve has already checked that it stays inside the root).
        var file = new FileInfo(fullPath);
        ServeFile(context, file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target : file);
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case ChunkRead read when _transfers.TryGetValue(read.Key, out var transfer):
                Relay(transfer, read);
                break;
            case ReadFailed failed when _transfers.TryGetValue(failed.Key, out var transfer):
                Log.Warning("Reading {File} failed midway: {Error}", transfer.Stream.Name, failed.Error.Message);
                transfer.Context.AbortStream();
                Finish(transfer);
                break;
            case ResponseBodyChunkSent sent when _transfers.TryGetValue((Sender, sent.Sequence), out var transfer):
                transfer.InFlight = false;
                transfer.FirstChunkTaken = true;
                Step(transfer);
                break;
            case ResponseAborted aborted when _transfers.TryGetValue((Sender, aborted.Sequence), out var transfer):
                Finish(transfer);
                break;
            case ChunkRead or ReadFailed or ResponseBodyChunkSent or ResponseAborted:
                // The transfer already ended: nothing to do.
                break;
            default:
                base.OnMessage(message);
                break;
        }
    }

    protected override void PostStop()
    {
        foreach (var transfer in _transfers.Values.ToList())
        {
            Finish(transfer);
        }

        base.PostStop();
    }

    /// <summary>Maps the request path to a file below the root, or says why not (404 hides what exists; 403 for links out).</summary>
    private bool TryResolve(string rest, out string fullPath, out HttpResponse? refusal)
    {
        fullPath = settings.Root;
        refusal = null;
        // The parser keeps %2F encoded so it can never make a separator; a name holding one, a
        // backslash or a hidden (dot) segment is not served.
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Contains("%2F", StringComparison.OrdinalIgnoreCase) || rest.Contains('\\') || segments.Any(s => s.StartsWith('.')))
        {
            refusal = NotFound("/" + rest);
            return false;
        }

        var current = settings.Root;
        foreach (var segment in segments)
        {
            current = Path.Join(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                // A link may point anywhere: only one that ends up inside the root is followed.
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !IsInsideRoot(Path.GetFullPath(target.FullName)))
                {
                    refusal = HttpResponse.Text(403, "This path leads outside the served folder.\n");
                    return false;
                }
            }
        }

        fullPath = Path.GetFullPath(current);
        if (!IsInsideRoot(fullPath))
        {
            refusal = NotFound("/" + rest);
            return false;
        }

        return true;
    }

    private bool IsInsideRoot(string path) =>
        path == settings.Root || path.StartsWith(settings.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private void ServeFolder(RequestContext context, string folder)
    {
        var request = context.Request;
        if (!request.Path.EndsWith('/'))
        {
            // Relative links inside the folder's page resolve against the URL with the slash.
            var location = request.Path + "/" + (request.Query.Length > 0 ? "?" + request.Query : string.Empty);
            context.Respond(HttpResponse.Empty(301).WithHeader("Location", location));
            return;
        }

        var index = Path.Join(folder, settings.IndexFile);
        if (File.Exists(index))
        {
            ServeFile(context, new FileInfo(index));
            return;
        }

        if (!settings.Listing)
        {
            context.Respond(HttpResponse.Text(403, "This folder has no index page and listings are off.\n"));
            return;
        }

        var page = new StringBuilder($"<!doctype html><meta charset=\"utf-8\"><title>Index of {WebUtility.HtmlEncode(request.Path)}</title><h1>Index of {WebUtility.HtmlEncode(request.Path)}</h1><ul>");
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.')).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var name = entry.Name + (entry is DirectoryInfo ? "/" : string.Empty);
            page.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{WebUtility.HtmlEncode(Uri.EscapeDataString(entry.Name) + (entry is DirectoryInfo ? "/" : string.Empty))}\">{WebUtility.HtmlEncode(name)}</a></li>");
        }

        page.Append("</ul>\n");
        context.Respond(HttpResponse.Text(200, page.ToString(), "text/html; charset=utf-8"));
    }

    private void ServeFile(RequestContext context, FileInfo requested)
    {
        var request = context.Request;
        // From here on, file is what is sent: the requested file, or its precompressed sibling.
        var (file, coding) = ChooseRepresentation(request, requested);
        var size = file.Length;
        // Whole seconds: Last-Modified carries no more, and comparisons must agree with it.
        var modified = new DateTimeOffset(file.LastWriteTimeUtc.Ticks - file.LastWriteTimeUtc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        // Each coding gets its own tag (nginx and Apache suffix it the same way): a cache or a
        // conditional request can never take the gzip bytes for the Brotli ones or the identity file.
        var etag = coding == ContentCoding.Identity
            ? $"\"{size:x}-{file.LastWriteTimeUtc.Ticks:x}\""
            : $"\"{size:x}-{file.LastWriteTimeUtc.Ticks:x}-{SiblingSuffix(coding)}\"";
        var validators = new List<KeyValuePair<string, string>>
        {
            new("ETag", etag),
            new("Last-Modified", modified.ToString("R", CultureInfo.InvariantCulture)),
            new("Cache-Control", settings.MaxAge > TimeSpan.Zero ? $"public, max-age={(long)settings.MaxAge.TotalSeconds}" : "no-cache"),
        };
        if (coding != ContentCoding.Identity)
        {
            // A 304 carries it too (RFC 9110 §15.4.5): the answer depends on Accept-Encoding.
            validators.Add(new("Vary", "Accept-Encoding"));
        }

        if (PreconditionFails(request, etag, modified))
        {
            context.Respond(HttpResponse.Text(412, "The file does not match the request's If-Match / If-Unmodified-Since.\n").WithHeader("ETag", etag));
            return;
        }

        if (IsNotModified(request, etag, modified))
        {
            context.Respond(new HttpResponse { StatusCode = 304, Headers = validators });
            return;
        }

        var headers = new List<KeyValuePair<string, string>>(validators)
        {
            new("Content-Type", MimeTypes.For(requested.Name)),
            coding == ContentCoding.Identity
                ? new("Accept-Ranges", "bytes")
                : new("Content-Encoding", ResponseCompression.Token(coding)),
        };
        var status = 200;
        var range = new ByteRange(0, size - 1);
        if (request.Method == "GET" && RangeApplies(request, etag, modified))
        {
            switch (ByteRange.Parse(request.Headers["Range"], size, out var asked))
            {
                case ByteRange.Outcome.Partial:
                    status = 206;
                    range = asked;
                    headers.Add(new("Content-Range", $"bytes {asked.First}-{asked.Last}/{size}"));
                    break;
                case ByteRange.Outcome.Unsatisfiable:
                    context.Respond(HttpResponse.Text(416, "The requested range is outside the file.\n").WithHeader("Content-Range", $"bytes */{size}"));
                    return;
            }
        }

        // An empty file, or HEAD of a file too large to send whole, needs no bytes read: the head
        // alone (with the length a GET would send) ends the answer. HEAD of a small file takes the
        // GET path so both announce the same, possibly compressed, length (RFC 9110 §9.3.2).
        if (range.Length <= 0 || (request.Method == "HEAD" && range.Length > settings.ChunkBytes))
        {
            context.Respond(new HttpResponse { StatusCode = status, Headers = headers, Streamed = true, StreamLength = Math.Max(0, range.Length) });
            context.EndStream();
            return;
        }

        var head = new HttpResponse { StatusCode = status, Headers = headers };
        if (_cache.TryGetValue(file.FullName, out var cached) && cached.Content.Length == size && cached.LastWriteTicks == file.LastWriteTimeUtc.Ticks)
        {
            context.Respond(head with { Body = cached.Content.AsMemory((int)range.First, (int)range.Length) });
            return;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file.FullName, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            context.Respond(HttpResponse.Text(403, "This file cannot be read.\n"));
            return;
        }

        stream.Position = range.First;
        // A file that fits in one chunk goes out as a complete body (one write, and compressible);
        // a larger one streams, each chunk read only once the previous one was sent.
        var transfer = range.Length <= settings.ChunkBytes
            ? new Transfer(context, stream, range.Length)
            {
                Whole = new byte[range.Length],
                Head = head,
                CacheAs = range.Length == size ? (file.FullName, file.LastWriteTimeUtc.Ticks) : null,
            }
            : new Transfer(context, stream, range.Length);
        _transfers[context.StreamKey] = transfer;
        if (transfer.Whole is null)
        {
            context.Respond(head with { Streamed = true, StreamLength = range.Length });
            Step(transfer);
            return;
        }

        ReadNext(transfer);
    }

    /// <summary>
    /// The precompressed sibling to send instead of <paramref name="file"/>: <c>.br</c> or <c>.gz</c>
    /// next to it, in the client's order of preference, and only when not older than the file (an
    /// older one was made from an earlier version). A range request always gets the file itself, so
    /// byte offsets refer to the identity bytes and no sibling needs range support. A sibling that is
    /// a symbolic link is skipped: it could lead outside the root. Clients that accept no coding cost
    /// no lookup.
    /// </summary>
    private static (FileInfo File, ContentCoding Coding) ChooseRepresentation(HttpRequest request, FileInfo file)
    {
        if (request.Headers["Range"] is not null || request.Headers["Accept-Encoding"] is not { } acceptEncoding)
        {
            return (file, ContentCoding.Identity);
        }

        foreach (var coding in ResponseCompression.AcceptedCodings(acceptEncoding))
        {
            var sibling = new FileInfo($"{file.FullName}.{SiblingSuffix(coding)}");
            if (sibling.Exists && sibling.LinkTarget is null && sibling.LastWriteTimeUtc >= file.LastWriteTimeUtc)
            {
                return (sibling, coding);
            }
        }

        return (file, ContentCoding.Identity);
    }

    private static string SiblingSuffix(ContentCoding coding) => coding == ContentCoding.Brotli ? "br" : "gz";

    /// <summary>
    /// RFC 9110 §13.2.2 steps 1-2: If-Match (strong comparison: a weak tag never matches) decides when
    /// present, else If-Unmodified-Since; a precondition that does not hold is 412.
    /// </summary>
    private static bool PreconditionFails(HttpRequest request, string etag, DateTimeOffset modified)
    {
        if (request.Headers["If-Match"] is { } match)
        {
            return !match.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Any(tag => tag == "*" || tag == etag);
        }

        return request.Headers["If-Unmodified-Since"] is { } since
            && DateTimeOffset.TryParseExact(since, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            && modified > date;
    }

    /// <summary>RFC 9110 §13.2.2: If-None-Match (weak comparison) decides when present, else If-Modified-Since.</summary>
    private static bool IsNotModified(HttpRequest request, string etag, DateTimeOffset modified)
    {
        if (request.Headers["If-None-Match"] is { } noneMatch)
        {
            return noneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Any(tag => tag == "*" || tag == etag || tag == "W/" + etag);
        }

        return request.Headers["If-Modified-Since"] is { } since
            && DateTimeOffset.TryParseExact(since, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            && modified <= date;
    }

    /// <summary>RFC 9110 §13.1.5: a Range with an If-Range that no longer matches gets the whole, current file.</summary>
    private static bool RangeApplies(HttpRequest request, string etag, DateTimeOffset modified)
    {
        if (request.Headers["If-Range"] is not { } ifRange)
        {
            return true;
        }

        return ifRange.StartsWith('"')
            ? ifRange == etag
            : DateTimeOffset.TryParseExact(ifRange, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) && date == modified;
    }

    /// <summary>
    /// A streamed transfer's one step: send the chunk that is ready once the connection took the
    /// previous one, and keep one chunk read ahead, so the disk and the socket work at the same time
    /// while at most two chunks are held. Until the connection has taken the first chunk (a small
    /// one), nothing is read ahead: an answer to a pipelined request waiting its turn, or to a
    /// client that does not read, holds a few KiB instead of two chunks.
    /// </summary>
    private void Step(Transfer transfer)
    {
        if (!transfer.InFlight && transfer.Ready is { } chunk)
        {
            transfer.Ready = null;
            transfer.InFlight = true;
            transfer.Context.SendChunk(chunk);
        }

        if (!transfer.Reading && transfer.Ready is null && transfer.Remaining > 0 && (!transfer.InFlight || transfer.FirstChunkTaken))
        {
            ReadNext(transfer);
        }
        else if (!transfer.Reading && !transfer.InFlight && transfer.Ready is null && transfer.Remaining == 0)
        {
            transfer.Context.EndStream();
            Finish(transfer);
        }
    }

    private void ReadNext(Transfer transfer)
    {
        transfer.Reading = true;
        var key = transfer.Context.StreamKey;
        var chunkBytes = transfer.FirstChunkTaken ? settings.ChunkBytes : Math.Min(FirstChunkBytes, settings.ChunkBytes);
        var buffer = transfer.Whole ?? transfer.NextChunkBuffer(chunkBytes);
        var into = transfer.Whole is null
            ? buffer.AsMemory(0, (int)Math.Min(chunkBytes, transfer.Remaining))
            : buffer.AsMemory((int)(buffer.Length - transfer.Remaining));
        transfer.Stream.ReadAsync(into).AsTask().PipeTo(
            Self,
            success: count => new ChunkRead(key, buffer, count),
            failure: error => new ReadFailed(key, error));
    }

    private void Relay(Transfer transfer, ChunkRead read)
    {
        if (read.Count == 0)
        {
            // The file shrank after its size was taken: the answer cannot be completed honestly.
            if (transfer.Whole is null)
            {
                transfer.Context.AbortStream();
            }
            else
            {
                transfer.Context.Respond(HttpResponse.Text(500, "The file changed while it was being read.\n"));
            }

            Finish(transfer);
            return;
        }

        transfer.Reading = false;
        transfer.Remaining -= read.Count;
        if (transfer.Whole is null)
        {
            transfer.Ready = read.Buffer.AsMemory(0, read.Count);
            Step(transfer);
        }
        else if (transfer.Remaining > 0)
        {
            ReadNext(transfer);
        }
        else
        {
            transfer.Context.Respond(transfer.Head! with { Body = transfer.Whole });
            if (transfer.CacheAs is var (path, lastWriteTicks))
            {
                Remember(new CachedFile(path, transfer.Whole, lastWriteTicks));
            }

            Finish(transfer);
        }
    }

    private void Finish(Transfer transfer)
    {
        _transfers.Remove(transfer.Context.StreamKey);
        transfer.Stream.Dispose();
        transfer.ReturnChunkBuffers();
    }

    private void Remember(CachedFile entry)
    {
        if (entry.Content.Length > settings.CacheBytes)
        {
            return;
        }

        if (_cache.Remove(entry.Path, out var replaced))
        {
            _cachedBytes -= replaced.Content.Length;
        }

        // Over budget: start again rather than track recency; the hot files come back at once.
        if (_cachedBytes + entry.Content.Length > settings.CacheBytes)
        {
            _cache.Clear();
            _cachedBytes = 0;
        }

        _cache[entry.Path] = entry;
        _cachedBytes += entry.Content.Length;
    }

    private static HttpResponse NotFound(string path) => HttpResponse.Text(404, $"No file at {ErrorText.Printable(path)}.\n");

    private sealed class Transfer(RequestContext context, FileStream stream, long remaining)
    {
        public RequestContext Context { get; } = context;
        public FileStream Stream { get; } = stream;
        public long Remaining { get; set; } = remaining;

        /// <summary>A read is under way (at most one at a time: the stream has one position).</summary>
        public bool Reading { get; set; }

        /// <summary>A chunk went to the connection and is not acknowledged yet.</summary>
        public bool InFlight { get; set; }

        /// <summary>The connection has taken the first chunk: the answer is being sent, and reading ahead pays.</summary>
        public bool FirstChunkTaken { get; set; }

        /// <summary>A chunk read ahead, waiting for the connection to take the previous one.</summary>
        public ReadOnlyMemory<byte>? Ready { get; set; }

        // Two pooled buffers taken in turn: a read never lands in the chunk the connection still
        // holds (the previous read's), so a large file costs no allocation per chunk.
        private readonly byte[]?[] _chunkBuffers = new byte[]?[2];
        private int _reads;

        public byte[] NextChunkBuffer(int size)
        {
            var slot = _reads++ % 2;
            if (_chunkBuffers[slot] is { } small && small.Length < size)
            {
                // The first chunk's small buffer, not held by the connection any more (it took that chunk).
                ArrayPool<byte>.Shared.Return(small);
                _chunkBuffers[slot] = null;
            }

            return _chunkBuffers[slot] ??= ArrayPool<byte>.Shared.Rent(size);
        }

        /// <summary>
        /// Back to the pool, unless the connection may still be writing from one of them or a read
        /// may still be filling one: those are left to the garbage collector.
        /// </summary>
        public void ReturnChunkBuffers()
        {
            if (InFlight || Reading)
            {
                return;
            }

            for (var i = 0; i < _chunkBuffers.Length; i++)
            {
                if (_chunkBuffers[i] is { } buffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    _chunkBuffers[i] = null;
                }
            }
        }

        /// <summary>For a file small enough to send whole: the buffer it is read into, and the answer to send with it.</summary>
        public byte[]? Whole { get; init; }

        public HttpResponse? Head { get; init; }

        /// <summary>For a whole file read whole: where it came from and when it was written, to remember it once read.</summary>
        public (string Path, long LastWriteTicks)? CacheAs { get; init; }
    }

    private sealed record CachedFile(string Path, byte[] Content, long LastWriteTicks);

    private sealed record ChunkRead((IActorRef Connection, long Sequence) Key, byte[] Buffer, int Count);

    private sealed record ReadFailed((IActorRef Connection, long Sequence) Key, Exception Error);
}
