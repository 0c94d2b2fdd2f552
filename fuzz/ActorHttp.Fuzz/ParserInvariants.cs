using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Fuzz;

/// <summary>
/// What must hold for any bytes a client can send, whatever the parser makes of them: checked by the
/// fuzzer on every input it tries, and by the tests on every input it ever flagged (fuzz/findings) or
/// started from (fuzz/seeds). A broken rule throws <see cref="ParserInvariantException"/>, which afl-fuzz
/// records as a crash. No rule depends on which bytes are accepted or which status a refusal gets, only
/// on the parser's contract with the connection that drives it:
/// <list type="bullet">
/// <item>no exception escapes, and no call loops without consuming;</item>
/// <item>consumed never passes the bytes given, and a streamed body piece lies within what was consumed;</item>
/// <item>a refusal is a 4xx or 5xx with a reason, and the parser stays refused;</item>
/// <item>the same bytes give the same requests, the same end and the same refusal however the reads cut
/// them, whether bodies are buffered or streamed, and every time.</item>
/// </list>
/// </summary>
public static class ParserInvariants
{
    // Reading one byte per call costs a call per byte: past this length the fuzzer would spend its
    // executions on it rather than on new inputs, and the two-read splits still cover the boundaries.
    private const int MaxOneByteReadsLength = 2048;

    // The defaults are what a server runs with; the small limits let inputs a fuzzer makes reach every
    // limit check (line length, field section size and count, body size, chunk extension length).
    private static readonly HttpLimits[] LimitSets =
    [
        HttpLimits.Default,
        new() { MaxRequestLineBytes = 48, MaxHeaderBytes = 160, MaxHeaderCount = 6, MaxBodyBytes = 96, MaxChunkExtensionBytes = 12 },
    ];

    public static void Check(ReadOnlySpan<byte> input)
    {
        foreach (var limits in LimitSets)
        {
            var oneRead = Connection.Replay(input, limits, BodyMode.Buffered, [input.Length]);
            RequireSame(oneRead, Connection.Replay(input, limits, BodyMode.Buffered, [input.Length]), "the same bytes parsed again");
            foreach (var reads in ReadPlans(input))
            {
                var plan = reads.Length > 8 ? $"{reads.Length} reads" : string.Join('+', reads);
                RequireSame(oneRead, Connection.Replay(input, limits, BodyMode.Buffered, reads), $"buffered bodies, reads {plan}");
                RequireSame(oneRead, Connection.Replay(input, limits, BodyMode.Streamed, reads), $"streamed bodies, reads {plan}");
            }
        }
    }

    /// <summary>
    /// The reads to cut the input into: one; two, at points that matter (the first and last byte, the
    /// middle, around the end of the first head, and one picked by the input's own hash so different
    /// inputs try different points); one byte each; and equal pieces of a size the hash picks.
    /// </summary>
    private static List<int[]> ReadPlans(ReadOnlySpan<byte> input)
    {
        var length = input.Length;
        var plans = new List<int[]> { new[] { length } };
        if (length < 2)
        {
            return plans;
        }

        var hash = Fnv1a(input);
        var headEnd = input.IndexOf("\r\n\r\n"u8) + 4;
        var points = new SortedSet<int> { 1, length / 2, length - 1, 1 + (int)(hash % (uint)(length - 1)) };
        if (headEnd >= 4)
        {
            points.UnionWith([headEnd - 1, headEnd, headEnd + 1]);
        }

        foreach (var point in points.Where(p => p > 0 && p < length))
        {
            plans.Add([point, length - point]);
        }

        if (length <= MaxOneByteReadsLength)
        {
            plans.Add(Enumerable.Repeat(1, length).ToArray());
        }

        var pieceSize = 2 + (int)(hash / 7 % 11);
        plans.Add(Enumerable.Range(0, (length + pieceSize - 1) / pieceSize)
            .Select(i => Math.Min(pieceSize, length - (i * pieceSize)))
            .ToArray());
        return plans;
    }

    /// <summary>A hash that is the same in every process (string hashes are randomized), so a replay cuts the input as the fuzzer did.</summary>
    private static uint Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    private static void RequireSame(string expected, string actual, string how)
    {
        if (expected != actual)
        {
            throw new ParserInvariantException(
                $"Parsing with {how} differs from one buffered read.\nOne read:\n{Shorten(expected)}\nWith {how}:\n{Shorten(actual)}");
        }
    }

    private static string Shorten(string text) => text.Length <= 4000 ? text : text[..4000] + "…";

    private static void Require(bool holds, string violation)
    {
        if (!holds)
        {
            throw new ParserInvariantException(violation);
        }
    }

    private enum BodyMode
    {
        Buffered,
        Streamed,
    }

    /// <summary>
    /// Plays the connection's part as ConnectionActor does: hands the parser the unconsumed bytes plus each
    /// new read, drops what it consumed, and calls again until it needs more data or refuses.
    /// </summary>
    private sealed class Connection
    {
        private readonly HttpRequestParser _parser;
        private readonly HttpLimits _limits;
        private readonly BodyMode _mode;
        private readonly byte[] _buffer;
        private readonly List<string> _requests = [];
        private readonly MemoryStream _streamedBody = new();
        private HttpRequest? _streamedHead;
        private RequestRejection? _rejection;
        private int _start;
        private int _end;

        private Connection(HttpLimits limits, BodyMode mode, int inputLength)
        {
            _limits = limits;
            _mode = mode;

            // Streaming every body under the server's own body limit must refuse exactly what buffering refuses.
            _parser = new HttpRequestParser(limits, mode == BodyMode.Streamed ? _ => limits.MaxBodyBytes : null);

            // Room for the whole input, so unconsumed bytes never move; the parser keeps no span between calls either way.
            _buffer = new byte[inputLength];
        }

        /// <summary>What the connection saw: each request completed, then how the bytes ended (refused, or waiting with some unconsumed).</summary>
        public static string Replay(ReadOnlySpan<byte> input, HttpLimits limits, BodyMode mode, int[] reads)
        {
            var connection = new Connection(limits, mode, input.Length);
            var offset = 0;
            foreach (var read in reads)
            {
                if (connection._rejection is not null)
                {
                    break;
                }

                connection.Receive(input.Slice(offset, read));
                offset += read;
            }

            return connection.Finish();
        }

        private void Receive(ReadOnlySpan<byte> read)
        {
            read.CopyTo(_buffer.AsSpan(_end));
            _end += read.Length;

            // Every call that consumes nothing either asks for more data or follows one that consumed
            // (a streamed Content-Length body ends on the call after its last piece), so twice the bytes
            // held, plus a few, bounds the calls: past that the parser would spin forever.
            var callsLeft = (2 * (_end - _start)) + 4;
            while (true)
            {
                Require(--callsLeft >= 0, "The parser keeps returning without consuming the bytes it was given.");
                var data = _buffer.AsSpan(_start, _end - _start);
                var outcome = _parser.Parse(data, out var consumed);
                Require(consumed >= 0 && consumed <= data.Length, $"{outcome} consumed {consumed} of the {data.Length} bytes given.");
                _start += consumed;
                switch (outcome)
                {
                    case ParseOutcome.NeedMoreData:
                        Require(_parser.Rejection is null, "NeedMoreData came with a rejection.");
                        return;
                    case ParseOutcome.Rejected:
                        CheckRefusal();
                        return;
                    case ParseOutcome.RequestComplete:
                        var request = _parser.TakeRequest();
                        Require(!request.BodyStreamed, "RequestComplete handed over a streamed request.");
                        Require(_mode == BodyMode.Buffered || request.Body.IsEmpty, "A body was buffered although every body is streamed.");
                        Complete(request, request.Body.Span);
                        break;
                    case ParseOutcome.HeadComplete:
                        Require(_mode == BodyMode.Streamed, "HeadComplete without a streamed body.");
                        Require(_streamedHead is null, "HeadComplete while the previous streamed body is still open.");
                        _streamedHead = _parser.TakeRequest();
                        Require(_streamedHead.BodyStreamed && _streamedHead.Body.IsEmpty, "HeadComplete handed over a request that is not streamed.");
                        break;
                    case ParseOutcome.BodyData:
                        Require(_streamedHead is not null, "BodyData outside a streamed body.");
                        var (pieceStart, pieceLength) = _parser.BodyData;
                        Require(
                            pieceStart >= 0 && pieceLength > 0 && pieceStart + pieceLength <= consumed,
                            $"BodyData ({pieceStart}, {pieceLength}) is not within the {consumed} bytes consumed.");
                        _streamedBody.Write(data.Slice(pieceStart, pieceLength));
                        break;
                    case ParseOutcome.BodyComplete:
                        Require(_streamedHead is not null, "BodyComplete without a streamed head.");
                        var ended = _parser.TakeRequest();
                        Require(ended.BodyStreamed, "BodyComplete handed over a request that is not streamed.");
                        Complete(ended, _streamedBody.ToArray());
                        _streamedHead = null;
                        _streamedBody.SetLength(0);
                        break;
                    default:
                        throw new ParserInvariantException($"Unknown outcome {outcome}.");
                }
            }
        }

        private void CheckRefusal()
        {
            var rejection = _parser.Rejection;
            Require(rejection is not null, "Rejected without a rejection.");
            _rejection = rejection!;
            Require(_rejection.StatusCode is >= 400 and <= 599, $"Refused with status {_rejection.StatusCode}, not a 4xx or 5xx.");
            Require(!string.IsNullOrWhiteSpace(_rejection.Message), $"Refused ({_rejection.Reason}) without a reason.");
            var again = _parser.Parse(_buffer.AsSpan(_start, _end - _start), out var consumed);
            Require(again == ParseOutcome.Rejected && consumed == 0, $"A refused parser answered {again} and consumed {consumed}.");
        }

        private void Complete(HttpRequest request, ReadOnlySpan<byte> body)
        {
            Require(request.Method.Length > 0, "A request without a method.");
            Require(request.Target.Length > 0, "A request without a target.");
            Require(request.Path == "*" || request.Path.StartsWith('/'), $"The path \"{request.Path}\" is neither \"*\" nor absolute.");
            Require(Enum.IsDefined(request.Version), $"Unknown version {request.Version}.");
            Require(body.Length <= _limits.MaxBodyBytes, $"A body of {body.Length} bytes passed the {_limits.MaxBodyBytes} byte limit.");
            Require(request.Headers.Count <= _limits.MaxHeaderCount, $"{request.Headers.Count} header fields passed the limit of {_limits.MaxHeaderCount}.");
            Require(request.Trailers.Count <= _limits.MaxHeaderCount, $"{request.Trailers.Count} trailer fields passed the limit of {_limits.MaxHeaderCount}.");
            _requests.Add(Describe(request, body));
        }

        private string Finish()
        {
            var end = _rejection is { } refused
                ? $"refused: {refused.Reason} ({refused.StatusCode})"
                : $"waiting: {_end - _start} bytes unconsumed, partial request {_parser.HasPartialRequest}, head complete {_parser.HeadComplete}";
            return string.Join("\n", _requests.Append(end));
        }

        /// <summary>
        /// Every field a handler sees, the body included (a streamed body as its pieces joined), one per
        /// line: no parsed field can hold a line feed, so two descriptions are equal only if the requests are.
        /// </summary>
        private static string Describe(HttpRequest request, ReadOnlySpan<byte> body)
        {
            var text = new StringBuilder()
                .Append("request: ").Append(request.Method).Append(' ').Append(request.Target).Append(' ').Append(request.Version.ToText())
                .Append("\n  path ").Append(request.Path).Append(" query ").Append(request.Query).Append(" keep-alive ").Append(request.KeepAlive);
            foreach (var (name, value) in request.Headers)
            {
                text.Append("\n  header ").Append(name).Append(": ").Append(value);
            }

            text.Append("\n  body ").Append(Convert.ToBase64String(body));
            foreach (var (name, value) in request.Trailers)
            {
                text.Append("\n  trailer ").Append(name).Append(": ").Append(value);
            }

            return text.ToString();
        }
    }
}

/// <summary>A rule every parse must keep was broken; the message says which, and how.</summary>
public sealed class ParserInvariantException(string message) : Exception(message);
