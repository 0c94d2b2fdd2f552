using ActorHttp.Fuzz;
using ActorHttp.Protocol;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// Properties over generated requests (<see cref="RequestGenerators"/>): a valid one parses to exactly
/// the fields it was built from, however TCP cuts it; a valid one broken in one place is refused with a
/// 4xx or 5xx, never with an exception. Each case also passes the fuzzer's invariant checks, which cover
/// streamed bodies and one-byte reads.
/// </summary>
public sealed class ParserPropertyTests
{
    // HTAB is allowed in a field value; CR and LF are line ends, and one added where a line already ends
    // only moves the end of the head, which can make another valid request.
    private static readonly byte[] ControlBytes =
        Enumerable.Range(0x00, 0x20).Where(b => b is not ('\t' or '\r' or '\n')).Append(0x7F).Select(b => (byte)b).ToArray();

    // Not tchar (RFC 9110 §5.6.2). A colon is left out: it would only end the name early, a valid line still.
    private static readonly char[] NonTokenCharacters = "\"(),/;<=>?@[\\]{} \x7F\xE9".ToCharArray();

    private static readonly string[] BadChunkSizes = ["", "g", "-1", "+1", "0x1", " 1", "1 1", "1g", "fffffffffffffffff0", "1" + new string('0', 16)];

    [Property(MaxTest = 200)]
    public Property A_valid_request_parses_to_exactly_its_fields_wherever_the_reads_split_it() =>
        Prop.ForAll(
            Gen.Choose(1, 2).SelectMany(count => RequestGenerators.Requests.ArrayOf(count)).ToArbitrary(),
            pipelined =>
            {
                var wire = pipelined.SelectMany(request => request.Wire()).ToArray();
                var expected = pipelined.Select(request => ParserDriver.Describe(Expected(request))).ToList();
                for (var split = 0; split <= wire.Length; split++)
                {
                    var driver = new ParserDriver();
                    driver.Receive(wire.AsSpan(0, split));
                    driver.Receive(wire.AsSpan(split));

                    var parsed = driver.Requests.Select(ParserDriver.Describe).ToList();
                    if (driver.Rejection is not null || !parsed.SequenceEqual(expected) || driver.Buffered != 0)
                    {
                        Assert.Fail(
                            $"Reads split at byte {split} of {wire.Length}: refused {driver.Rejection?.Reason.ToString() ?? "no"}, "
                            + $"{driver.Buffered} bytes left.\nExpected:\n{string.Join('\n', expected)}\nParsed:\n{string.Join('\n', parsed)}");
                    }
                }

                ParserInvariants.Check(wire);
            });

    [Property(MaxTest = 200)]
    public Property A_control_byte_anywhere_in_the_head_is_refused() =>
        Prop.ForAll(
            (from request in RequestGenerators.Requests
             from at in Gen.Choose(0, request.HeadLength - 1)
             from control in Gen.Elements(ControlBytes)
             select request.Wire().Take(at).Append(control).Concat(request.Wire().Skip(at)).ToArray()).ToArbitrary(),
            AssertRefused);

    [Property(MaxTest = 200)]
    public Property A_field_name_with_a_character_that_is_not_a_token_character_is_refused() =>
        Prop.ForAll(
            (from request in RequestGenerators.Requests
             from index in Gen.Choose(0, request.Fields.Count - 1)
             from at in Gen.Choose(0, request.Fields[index].Name.Length)
             from bad in Gen.Elements(NonTokenCharacters)
             let field = request.Fields[index]
             let broken = field with { Name = field.Name.Insert(at, bad.ToString()) }
             select (request with { Fields = request.Fields.Select((f, i) => i == index ? broken : f).ToList() }).Wire()).ToArbitrary(),
            AssertRefused);

    [Property(MaxTest = 200)]
    public Property A_chunk_size_that_is_not_a_hex_number_within_range_is_refused() =>
        Prop.ForAll(
            (from request in RequestGenerators.ChunkedRequests
             from index in Gen.Choose(0, request.Chunks!.Count)
             from bad in Gen.Elements(BadChunkSizes)
             select (index == request.Chunks!.Count
                 ? request with { LastChunk = bad }
                 : request with { Chunks = request.Chunks.Select((c, i) => i == index ? c with { Size = bad } : c).ToList() }).Wire())
            .ToArbitrary(),
            AssertRefused);

    private static void AssertRefused(byte[] wire)
    {
        var driver = new ParserDriver();
        var outcome = driver.Receive(wire);

        Assert.Equal(ParseOutcome.Rejected, outcome);
        Assert.Empty(driver.Requests);
        Assert.InRange(driver.Rejection!.StatusCode, 400, 599);
        Assert.False(string.IsNullOrWhiteSpace(driver.Rejection.Message));
        ParserInvariants.Check(wire);
    }

    /// <summary>The request the parser must give back for the generated one.</summary>
    private static HttpRequest Expected(GeneratedRequest request) => new()
    {
        Method = request.Method,
        Target = request.Target,
        Path = request.Path,
        Query = request.Query,
        Version = request.Version,
        Headers = new HttpHeaders(request.Fields.Select(f => (f.Name, f.Value))),
        Body = request.IsChunked ? request.Chunks!.SelectMany(c => c.Data).ToArray() : request.Body,
        Trailers = new HttpHeaders(request.Trailers.Select(t => (t.Name, t.Value))),
        KeepAlive = request.Version == HttpVersion.Http11,
    };
}
