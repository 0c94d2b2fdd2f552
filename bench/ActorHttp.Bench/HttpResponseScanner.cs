using System.Buffers.Text;
using System.Text;

namespace ActorHttp.Bench;

/// <summary>Where one HTTP/1.1 response ends in what a client has received, and what it said.</summary>
/// <param name="Length">Bytes of the response (head and body); 0 while it is incomplete.</param>
/// <param name="Status">The status code; 0 until the head is complete.</param>
/// <param name="Closes">The server said <c>Connection: close</c>, or the body runs to the end of the connection.</param>
public readonly record struct ScannedResponse(int Length, int Status, bool Closes)
{
    public bool IsComplete => Length > 0;
}

/// <summary>
/// Finds the end of a response on a keep-alive connection (Content-Length, chunked, or no body), so
/// the bench's clients count answers over raw sockets: an HTTP library would retry, pool and time
/// out on its own terms, and those are exactly what the attack figures must see.
/// </summary>
public static class HttpResponseScanner
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>
    /// The first response in <paramref name="received"/>. A body that runs to the end of the
    /// connection (no length, not chunked) is complete only once the caller saw the close, so it is
    /// reported incomplete with its status and <see cref="ScannedResponse.Closes"/> set.
    /// </summary>
    public static ScannedResponse Scan(ReadOnlySpan<byte> received)
    {
        var headEnd = received.IndexOf(EndOfHead);
        if (headEnd < 0)
        {
            return default;
        }

        var head = Encoding.ASCII.GetString(received[..headEnd]);
        var lines = head.Split("\r\n");
        var status = StatusOf(lines[0]);
        long? contentLength = null;
        var chunked = false;
        var closes = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException($"not a header field: \"{line}\"");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                closes = value.Contains("close", StringComparison.OrdinalIgnoreCase);
            }
        }

        var bodyStart = headEnd + EndOfHead.Length;
        if (status is 204 or 304 || (status >= 100 && status < 200))
        {
            return new ScannedResponse(bodyStart, status, closes);
        }

        if (chunked)
        {
            var chunksLength = ChunkedLength(received[bodyStart..]);
            return chunksLength > 0 ? new ScannedResponse(bodyStart + chunksLength, status, closes) : new ScannedResponse(0, status, closes);
        }

        if (contentLength is { } length)
        {
            return received.Length - bodyStart >= length ? new ScannedResponse(bodyStart + (int)length, status, closes) : new ScannedResponse(0, status, closes);
        }

        return new ScannedResponse(0, status, Closes: true);
    }

    /// <summary>The status of a status line such as <c>HTTP/1.1 408 Request Timeout</c>; null when the bytes are not one (yet).</summary>
    public static int? StatusOfFirstLine(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return null;
        }

        try
        {
            return StatusOf(Encoding.ASCII.GetString(received[..end]));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static int StatusOf(string statusLine)
    {
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3 || !int.TryParse(parts[1], out var status))
        {
            throw new FormatException($"not a status line: \"{statusLine}\"");
        }

        return status;
    }

    /// <summary>Bytes of a complete chunked body (last chunk and trailers included); 0 while incomplete.</summary>
    private static int ChunkedLength(ReadOnlySpan<byte> body)
    {
        var position = 0;
        while (true)
        {
            var lineEnd = body[position..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return 0;
            }

            var sizeField = body.Slice(position, lineEnd);
            var extension = sizeField.IndexOf((byte)';');
            if (extension >= 0)
            {
                sizeField = sizeField[..extension];
            }

            if (!Utf8Parser.TryParse(sizeField.Trim((byte)' '), out int size, out _, 'x'))
            {
                throw new FormatException("bad chunk size");
            }

            position += lineEnd + 2;
            if (size == 0)
            {
                // Trailer fields, then the empty line that ends the body.
                while (true)
                {
                    var trailerEnd = body[position..].IndexOf("\r\n"u8);
                    if (trailerEnd < 0)
                    {
                        return 0;
                    }

                    position += trailerEnd + 2;
                    if (trailerEnd == 0)
                    {
                        return position;
                    }
                }
            }

            if (body.Length - position < size + 2)
            {
                return 0;
            }

            position += size + 2;
        }
    }
}
