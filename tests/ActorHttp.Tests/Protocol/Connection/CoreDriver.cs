using System.Globalization;
using System.Reflection;
using System.Text;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using ActorHttp.Tests.Support;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// Plays the host of one <see cref="Http1Connection"/> with no socket, actor, thread or clock, the
/// way h11's tests drive its <c>Connection</c>: a test feeds bytes, answers requests, moves its own
/// clock (a tick is a millisecond) and reads what the core says and writes. Every host callback is
/// recorded, in order, in <see cref="Events"/>.
/// </summary>
/// <remarks>
/// Two ways to feed bytes: <see cref="Receive(string)"/> hands them to the core at once (a receive
/// that completes, whatever the core asked), while <see cref="ClientSends"/> puts them in a fake
/// kernel queue that <see cref="Pump"/> reads only as <see cref="Http1Connection.ReadDemand"/> asks;
/// that queue is also what <see cref="IConnectionHost.BytesWaitingInKernel"/> reports.
/// </remarks>
internal sealed class CoreDriver : IConnectionHost
{
    /// <summary>Where every driver's clock starts: any timestamp but 0, which the core reads as "not set".</summary>
    public const long Start = 1_000_000;

    /// <summary>Distinct timeouts, so a deadline names itself by its value: idle 10 s, head 4 s, handler 3 s, linger 1 s.</summary>
    public static readonly ConnectionSettings Defaults = new()
    {
        TicksPerSecond = 1000,
        IdleTimeout = TimeSpan.FromSeconds(10),
        RequestHeaderTimeout = TimeSpan.FromSeconds(4),
        HandlerTimeout = TimeSpan.FromSeconds(3),
        LingerTimeout = TimeSpan.FromSeconds(1),
        MinRequestBodyRate = new MinDataRate(240, TimeSpan.FromSeconds(5)),
        MinResponseDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5)),
    };

    private static readonly FieldInfo BufferField =
        typeof(Http1Connection).GetField("_buffer", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Http1Connection has no _buffer field any more");

    private readonly List<byte> _kernel = [];
    private readonly StringBuilder _output = new();
    private bool _kernelEnded;
    private int _taken;

    /// <param name="start">Drive the core once, as a host does when the connection is accepted (that starts its idle deadline).</param>
    public CoreDriver(ConnectionSettings? settings = null, bool start = true)
    {
        Settings = settings ?? Defaults;
        Core = new Http1Connection(Settings, this);
        if (start)
        {
            Flush();
        }
    }

    public ConnectionSettings Settings { get; }

    public Http1Connection Core { get; }

    /// <summary>The caller's clock, in milliseconds; passed with every call into the core.</summary>
    public long Now { get; set; } = Start;

    /// <summary>Every host callback in order, as text: "request 0 GET /a", "piece reader 0 abc", "end reader 0", "aborted reader 0: why", "chunks-sent streamer 0", "response-aborted streamer 0", "answered GET /a 200".</summary>
    public List<string> Events { get; } = [];

    public List<(HttpRequest Request, long Sequence)> Requests { get; } = [];

    /// <summary>Every <see cref="IConnectionHost.OnAnswered"/> report, in order.</summary>
    public List<AnsweredRequest> Answered { get; } = [];

    /// <summary>Everything taken from the core so far, in order, as the client would receive it.</summary>
    public string Output => _output.ToString();

    /// <summary>What the fake kernel reports as acknowledged by the client (a running total); null for a platform that does not tell.</summary>
    public long? BytesAcknowledged { get; set; }

    public int BytesWaitingInKernel => _kernel.Count;

    public ConnectionState State => Core.State;

    public ReadDemand ReadDemand => Core.ReadDemand;

    /// <summary>Whether the core holds a receive buffer (it must not between requests).</summary>
    public bool HoldsReceiveBuffer => ((byte[])BufferField.GetValue(Core)!).Length > 0;

    /// <summary>Bytes of the output last taken that <see cref="Sent"/> has not reported yet.</summary>
    public int Unsent => _taken;

    public static string Get(string path, string fields = "") => $"GET {path} HTTP/1.1\r\nHost: x\r\n{fields}\r\n";

    public static string Post(string path, string body, string fields = "") =>
        $"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n{fields}\r\n{body}";

    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static HttpResponse Streamed(long? length = null) =>
        new() { StatusCode = 200, Streamed = true, StreamLength = length, Headers = [new("Content-Type", "application/octet-stream")] };

    public long Advance(long ticks) => Now += ticks;

    /// <summary>A receive that completes with these bytes (in as many receives as the core's buffer needs).</summary>
    public CoreDriver Receive(string latin1) => Receive(Bytes(latin1));

    public CoreDriver Receive(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var memory = Core.GetReceiveMemory(Now);
            if (memory.IsEmpty)
            {
                throw new InvalidOperationException("the core gave no receive buffer");
            }

            var count = Math.Min(memory.Length, bytes.Length);
            bytes[..count].CopyTo(memory.Span);
            Core.Received(count, Now);
            bytes = bytes[count..];
        }

        return this;
    }

    /// <summary>The client's end of input, as a receive of 0 bytes.</summary>
    public CoreDriver EndInput()
    {
        Core.GetReceiveMemory(Now);
        Core.Received(0, Now);
        return this;
    }

    /// <summary>The client sends bytes: they wait in the fake kernel until <see cref="Pump"/> reads them.</summary>
    public CoreDriver ClientSends(string latin1) => ClientSends(Bytes(latin1));

    public CoreDriver ClientSends(byte[] bytes)
    {
        _kernel.AddRange(bytes);
        return this;
    }

    /// <summary>The client shuts its sending side: after the bytes queued, the next read gets 0.</summary>
    public CoreDriver ClientEnds()
    {
        _kernelEnded = true;
        return this;
    }

    /// <summary>Reads from the fake kernel for as long as the core asks for input and there is some (one receive of at most <paramref name="readSize"/> bytes at a time).</summary>
    public CoreDriver Pump(int readSize = int.MaxValue)
    {
        while (Core.ReadDemand != ReadDemand.None && (_kernel.Count > 0 || _kernelEnded))
        {
            if (_kernel.Count == 0)
            {
                _kernelEnded = false;
                EndInput();
                continue;
            }

            var memory = Core.GetReceiveMemory(Now);
            if (memory.IsEmpty)
            {
                throw new InvalidOperationException("the core gave no receive buffer");
            }

            var count = Math.Min(Math.Min(memory.Length, _kernel.Count), readSize);
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_kernel)[..count].CopyTo(memory.Span);

            _kernel.RemoveRange(0, count);
            Core.Received(count, Now);
        }

        return this;
    }

    public bool Respond(long sequence, HttpResponse response, object? responder = null) => Core.Respond(sequence, response, Now, responder);

    public bool Respond(long sequence, string text) => Respond(sequence, HttpResponse.Text(200, text));

    public bool RespondChunk(long sequence, string latin1) => Core.RespondChunk(sequence, Bytes(latin1), Now);

    public void RespondEnd(long sequence) => Core.RespondEnd(sequence, Now);

    public bool WantBody(long sequence, object reader) => Core.WantBody(sequence, reader, Now);

    public void CheckDeadlines() => Core.CheckDeadlines(Now);

    /// <summary>Checks the deadlines at <paramref name="at"/>, moving the clock there.</summary>
    public void CheckDeadlinesAt(long at)
    {
        Now = at;
        Core.CheckDeadlines(Now);
    }

    /// <summary>Takes the core's output (a send starts); report it with <see cref="Sent"/>.</summary>
    public string TakeOutput()
    {
        if (_taken > 0)
        {
            throw new InvalidOperationException("the last output is not sent yet");
        }

        var output = Core.TakeOutput(Now);
        _taken = output.Length;
        var text = Encoding.Latin1.GetString(output.Span);
        _output.Append(text);
        return text;
    }

    /// <summary>The send of the output taken last completed with <paramref name="count"/> bytes (all of it by default).</summary>
    public void Sent(int? count = null)
    {
        var sent = count ?? _taken;
        var rest = Core.Sent(sent, Now);
        _taken -= sent;
        if (rest.Length != _taken)
        {
            throw new InvalidOperationException($"the core says {rest.Length} bytes are left to send, the driver {_taken}");
        }
    }

    /// <summary>What a host does after every call: send what the core has ready, each send completing at once, until it has nothing more.</summary>
    public string Flush()
    {
        var flushed = new StringBuilder();
        while (Core.State < ConnectionState.Lingering)
        {
            var output = TakeOutput();
            if (output.Length == 0)
            {
                break;
            }

            flushed.Append(output);
            Sent();
        }

        return flushed.ToString();
    }

    void IConnectionHost.OnRequest(HttpRequest request, long sequence, long answerDue)
    {
        Requests.Add((request, sequence));
        Events.Add($"request {sequence} {request.Method} {request.Target}");
    }

    void IConnectionHost.OnRequestBodyPiece(object reader, long sequence, ReadOnlyMemory<byte> data) =>
        Events.Add($"piece {reader} {sequence} {Encoding.Latin1.GetString(data.Span)}");

    void IConnectionHost.OnRequestBodyEnd(object reader, long sequence, HttpHeaders trailers) =>
        Events.Add($"end {reader} {sequence}");

    void IConnectionHost.OnRequestBodyAborted(object reader, long sequence, string reason) =>
        Events.Add($"aborted {reader} {sequence}: {reason}");

    void IConnectionHost.OnResponseChunksSent(object streamer, long sequence) =>
        Events.Add($"chunks-sent {streamer} {sequence}");

    void IConnectionHost.OnResponseAborted(object streamer, long sequence) =>
        Events.Add($"response-aborted {streamer} {sequence}");

    void IConnectionHost.OnAnswered(in AnsweredRequest answered)
    {
        Answered.Add(answered);
        Events.Add($"answered {answered.Method} {answered.Target} {answered.StatusCode}");
    }

    /// <summary>The events of one kind ("request", "piece", "aborted", ...).</summary>
    public List<string> EventsOf(string kind) => Events.Where(e => e.StartsWith(kind + " ", StringComparison.Ordinal)).ToList();
}

/// <summary>Reads the responses in a connection's output, as a client would (a 1xx has no body; HEAD is not handled).</summary>
internal static class Wire
{
    public static List<RawResponse> Responses(string output)
    {
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < output.Length)
        {
            var headEnd = output.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (headEnd < 0)
            {
                throw new FormatException($"an incomplete head at {at}: {output[at..]}");
            }

            var lines = output[at..headEnd].Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            var headers = lines.Skip(1).Select(line =>
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                return new KeyValuePair<string, string>(line[..colon], line[(colon + 1)..].Trim());
            }).ToList();
            at = headEnd + 4;
            var body = new StringBuilder();
            string? Field(string name) => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            if (status < 200 || status is 204 or 304)
            {
                // No body.
            }
            else if (Field("Content-Length") is { } length)
            {
                var count = int.Parse(length, CultureInfo.InvariantCulture);
                body.Append(output.AsSpan(at, Math.Min(count, output.Length - at)));
                at += count;
            }
            else if (Field("Transfer-Encoding") is not null)
            {
                while (true)
                {
                    var lineEnd = output.IndexOf("\r\n", at, StringComparison.Ordinal);
                    if (lineEnd < 0)
                    {
                        // A chunked body still being streamed: what has come so far.
                        at = output.Length;
                        break;
                    }

                    var size = int.Parse(output.AsSpan(at, lineEnd - at), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    at = lineEnd + 2;
                    if (size == 0)
                    {
                        at += 2;
                        break;
                    }

                    body.Append(output.AsSpan(at, size));
                    at += size + 2;
                }
            }
            else
            {
                body.Append(output.AsSpan(at));
                at = output.Length;
            }

            responses.Add(new RawResponse(status, lines[0], headers, Encoding.Latin1.GetBytes(body.ToString())));
        }

        return responses;
    }

    public static RawResponse Single(string output) => Assert.Single(Responses(output));

    /// <summary>The output without its Date lines, which follow the wall clock.</summary>
    public static string WithoutDates(string output) =>
        System.Text.RegularExpressions.Regex.Replace(output, "Date: [^\r]*\r\n", "");

    public static string Text(this RawResponse response) => Encoding.Latin1.GetString(response.Body);
}
