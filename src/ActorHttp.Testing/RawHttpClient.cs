using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorHttp.Testing;

/// <summary>A response as read off the wire, with the fields looked up case-insensitively.</summary>
/// <param name="Status">The status code.</param>
/// <param name="StatusLine">The status line exactly as sent, without its CRLF.</param>
/// <param name="Headers">The header fields in the order they came, names as sent.</param>
/// <param name="Body">The body, de-chunked.</param>
public sealed record RawResponse(int Status, string StatusLine, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>The first field named <paramref name="name"/> (any case), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>True when the response carries <c>Connection: close</c>.</summary>
    public bool SaysClose => Header("Connection")?.Contains("close", StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>
/// A deliberately low-level HTTP/1.1 client over a real socket: it sends exactly the bytes it is given
/// (malformed, split, pipelined) and reads responses byte-exactly, so tests see what the server did.
/// Every read is bounded by a timeout: a server that hangs fails the test instead of hanging it.
/// </summary>
public sealed class RawHttpClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpClient(Socket socket) => _socket = socket;

    /// <summary>The socket itself, for tests that probe TCP backpressure with non-blocking sends.</summary>
    public Socket Socket => _socket;

    /// <summary>Connects to <paramref name="endpoint"/>'s port on 127.0.0.1 (a server listening on any address answers there too).</summary>
    public static async Task<RawHttpClient> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, endpoint.Port));
        return new RawHttpClient(socket);
    }

    /// <summary>Sends <paramref name="latin1"/> one byte per character (Latin-1), exactly as written: CRLFs are the caller's.</summary>
    public Task SendAsync(string latin1) => SendAsync(Encoding.Latin1.GetBytes(latin1));

    /// <summary>Sends exactly <paramref name="bytes"/>.</summary>
    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Closes our sending side (the server sees end of input) while we keep reading.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one response; <paramref name="headRequest"/> means no body follows whatever the framing says.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool headRequest = false, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var statusLine = await ReadLineAsync(cts.Token) ?? throw new IOException("The server closed the connection before a response.");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
        {
            throw new IOException($"Malformed status line: {statusLine}");
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (await ReadLineAsync(cts.Token) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var response = new RawResponse(status, statusLine, headers, []);
        if (headRequest || status is < 200 or 204 or 304)
        {
            return response;
        }

        byte[] body;
        if (response.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(cts.Token);
        }
        else if (response.Header("Content-Length") is { } length)
        {
            body = await ReadExactlyAsync(int.Parse(length), cts.Token);
        }
        else
        {
            body = await ReadToEndAsync(cts.Token);
        }

        return response with { Body = body };
    }

    /// <summary>True when the server closes the connection (end of stream or reset) within the timeout, with no more bytes.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            if (_end > _start)
            {
                return false;
            }

            return await ReceiveAsync(cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>True when nothing at all arrives within <paramref name="wait"/> (the server is still waiting for us).</summary>
    public async Task<bool> StaysSilentAsync(TimeSpan wait)
    {
        if (_end > _start)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(wait);
        try
        {
            await ReceiveAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Closes the socket.</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string?> ReadLineAsync(CancellationToken token)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                return line;
            }

            if (await ReceiveAsync(token) == 0)
            {
                return null;
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken token)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_end == _start && await ReceiveAsync(token) == 0)
            {
                throw new IOException($"The connection closed after {filled} of {count} body bytes.");
            }

            var take = Math.Min(count - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken token)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(token) ?? throw new IOException("The connection closed inside a chunked body.");
            var size = Convert.ToInt32(sizeLine.Split(';')[0], 16);
            if (size == 0)
            {
                while (await ReadLineAsync(token) is { Length: > 0 })
                {
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, token));
            if (await ReadLineAsync(token) != string.Empty)
            {
                throw new IOException("Chunk data not followed by CRLF.");
            }
        }
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken token)
    {
        while (await ReceiveAsync(token) > 0)
        {
        }

        var rest = _buffer[_start.._end];
        _start = _end;
        return rest;
    }

    private async Task<int> ReceiveAsync(CancellationToken token)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new IOException("Response line longer than the test client's buffer.");
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, token);
        _end += read;
        return read;
    }
}
