using System.Globalization;
using System.Net;
using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Handlers.StaticFiles;

/// <summary>
/// Decides how to answer a GET or HEAD for a file below <c>settings.Root</c>: the path resolved
/// safely, <c>index.html</c> for folders (and listings when on), the content type from a table,
/// validators and conditional requests (RFC 9110 §8.8, §13), single byte ranges (§14), and
/// precompressed siblings (<c>app.js.br</c>, <c>app.js.gz</c>) in place of the file for clients that
/// accept them, as nginx's <c>gzip_static</c>. Nothing outside the root is ever served: encoded
/// slashes, hidden names and symbolic links leading out are refused. Plain code with no state of its
/// own, so the actor handler and the model-neutral one share it, from any number of threads.
/// </summary>
public sealed class StaticFilePlanner(StaticFileSettings settings)
{
    /// <summary>The answer when the file to send cannot be opened.</summary>
    public static HttpResponse Unreadable { get; } = HttpResponse.Text(403, "This file cannot be read.\n");

    /// <summary>The answer when a file to send whole turned out shorter than its size said.</summary>
    public static HttpResponse ChangedWhileRead { get; } = HttpResponse.Text(500, "The file changed while it was being read.\n");

    /// <summary>
    /// The plan for <paramref name="request"/>, whose <c>path</c> route value is the file's path below
    /// the root (the whole root when absent).
    /// </summary>
    public StaticFilePlan Plan(HttpRequest request)
    {
        var rest = request.RouteValues.TryGetValue("path", out var value) ? value : string.Empty;
        if (!TryResolve(rest, out var fullPath, out var refusal))
        {
            return new StaticFilePlan.Complete(refusal!);
        }

        if (Directory.Exists(fullPath))
        {
            return PlanFolder(request, fullPath);
        }

        if (!File.Exists(fullPath))
        {
            return new StaticFilePlan.Complete(NotFound(request.Path));
        }

        // A link's own size and time describe the link; the answer is about the file it leads to
        // (TryResolve has already checked that it stays inside the root).
        var file = new FileInfo(fullPath);
        return PlanFile(request, file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target : file);
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

    private StaticFilePlan PlanFolder(HttpRequest request, string folder)
    {
        if (!request.Path.EndsWith('/'))
        {
            // Relative links inside the folder's page resolve against the URL with the slash.
            var location = request.Path + "/" + (request.Query.Length > 0 ? "?" + request.Query : string.Empty);
            return new StaticFilePlan.Complete(HttpResponse.Empty(301).WithHeader("Location", location));
        }

        var index = Path.Join(folder, settings.IndexFile);
        if (File.Exists(index))
        {
            return PlanFile(request, new FileInfo(index));
        }

        if (!settings.Listing)
        {
            return new StaticFilePlan.Complete(HttpResponse.Text(403, "This folder has no index page and listings are off.\n"));
        }

        var page = new StringBuilder($"<!doctype html><meta charset=\"utf-8\"><title>Index of {WebUtility.HtmlEncode(request.Path)}</title><h1>Index of {WebUtility.HtmlEncode(request.Path)}</h1><ul>");
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.')).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var name = entry.Name + (entry is DirectoryInfo ? "/" : string.Empty);
            page.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{WebUtility.HtmlEncode(Uri.EscapeDataString(entry.Name) + (entry is DirectoryInfo ? "/" : string.Empty))}\">{WebUtility.HtmlEncode(name)}</a></li>");
        }

        page.Append("</ul>\n");
        return new StaticFilePlan.Complete(HttpResponse.Text(200, page.ToString(), "text/html; charset=utf-8"));
    }

    private StaticFilePlan PlanFile(HttpRequest request, FileInfo requested)
    {
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
            return new StaticFilePlan.Complete(HttpResponse.Text(412, "The file does not match the request's If-Match / If-Unmodified-Since.\n").WithHeader("ETag", etag));
        }

        if (IsNotModified(request, etag, modified))
        {
            return new StaticFilePlan.Complete(new HttpResponse { StatusCode = 304, Headers = validators });
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
                    return new StaticFilePlan.Complete(HttpResponse.Text(416, "The requested range is outside the file.\n").WithHeader("Content-Range", $"bytes */{size}"));
            }
        }

        var head = new HttpResponse { StatusCode = status, Headers = headers };
        // An empty file, or HEAD of a file too large to send whole, needs no bytes read: the head
        // alone (with the length a GET would send) ends the answer. HEAD of a small file takes the
        // GET path so both announce the same, possibly compressed, length (RFC 9110 §9.3.2).
        if (range.Length <= 0 || (request.Method == "HEAD" && range.Length > settings.ChunkBytes))
        {
            return new StaticFilePlan.HeadOnly(head, Math.Max(0, range.Length));
        }

        return new StaticFilePlan.SendFile(head, file, range);
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

    private static HttpResponse NotFound(string path) => HttpResponse.Text(404, $"No file at {ErrorText.Printable(path)}.\n");
}
