using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>
/// TCP cuts a byte stream anywhere: fed the same bytes in any pieces, the connection must hand the
/// host the same requests and write the same answers as when it gets them all in one receive.
/// </summary>
public sealed class SplitPropertyTests
{
    [Property(MaxTest = 150)]
    public Property Pipelined_requests_split_anywhere_give_the_same_requests_and_output_as_fed_whole() =>
        Prop.ForAll(
            (from count in Gen.Choose(1, 3)
             from requests in RequestGenerators.Requests.Where(WaitsForNoContinue).ArrayOf(count)
             let wire = requests.SelectMany(request => request.Wire()).ToArray()
             from cuts in Gen.Choose(0, wire.Length).ListOf().Resize(12)
             select (requests, wire, cuts.Distinct().Order().ToArray())).ToArbitrary(),
            input =>
            {
                var (requests, wire, cuts) = input;
                var whole = Run(wire, []);
                var split = Run(wire, cuts);

                var context = $"cut at {string.Join(",", cuts)} of:\n{string.Join("\n", requests.Select(r => r.ToString()))}";
                Assert.True(whole.Requests.SequenceEqual(split.Requests), $"requests differ, {context}");
                Assert.True(whole.Output == split.Output, $"output differs, {context}\nwhole:\n{whole.Output}\nsplit:\n{split.Output}");
                Assert.True(whole.State == split.State, $"end state {whole.State} against {split.State}, {context}");
                Assert.NotEmpty(whole.Requests);

                // Every request that reached the host got exactly one answer.
                Assert.Equal(whole.Requests.Count, whole.Output.Split("\r\nServer: ActorHttp\r\n").Length - 1);
            });

    [Property(MaxTest = 100)]
    public Property A_streamed_body_split_anywhere_reaches_its_reader_whole_and_gets_the_same_answer() =>
        Prop.ForAll(
            (from body in Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray()).ArrayOf().Resize(200).Select(chars => new string(chars))
             from chunked in Gen.Elements(true, false)
             let wire = Upload(body, chunked) + CoreDriver.Get("/after")
             from cuts in Gen.Choose(0, wire.Length).ListOf().Resize(12)
             select (body, wire, cuts.Distinct().Order().ToArray())).ToArbitrary(),
            input =>
            {
                var (body, wire, cuts) = input;
                var whole = RunUpload(CoreDriver.Bytes(wire), []);
                var split = RunUpload(CoreDriver.Bytes(wire), cuts);

                Assert.Equal(body, whole.Body);
                Assert.Equal(body, split.Body);
                Assert.Equal(whole.Output, split.Output);
                Assert.Equal(new[] { "/up", "/after" }, split.Paths);
            });

    private static bool WaitsForNoContinue(GeneratedRequest request) =>
        !request.Fields.Any(field => field.Name.Equals("Expect", StringComparison.OrdinalIgnoreCase));

    /// <summary>Feeds <paramref name="wire"/> in the pieces <paramref name="cuts"/> make, read as the core asks, answering every request as soon as it comes; then the client's end.</summary>
    private static (List<string> Requests, string Output, ConnectionState State) Run(byte[] wire, int[] cuts)
    {
        var d = new CoreDriver();
        var answered = 0;
        var at = 0;
        foreach (var cut in cuts.Append(wire.Length))
        {
            if (cut <= at)
            {
                continue;
            }

            d.ClientSends(wire[at..cut]);
            at = cut;
            Settle(d, ref answered);
        }

        d.ClientEnds();
        Settle(d, ref answered);
        return (d.Requests.Select(r => $"{r.Sequence} {ParserDriver.Describe(r.Request)}").ToList(), Wire.WithoutDates(d.Output), d.State);
    }

    private static void Settle(CoreDriver d, ref int answered)
    {
        for (var round = 0; round < 10; round++)
        {
            d.Pump();
            if (answered == d.Requests.Count)
            {
                d.Flush();
                return;
            }

            for (; answered < d.Requests.Count; answered++)
            {
                var (request, sequence) = d.Requests[answered];
                d.Respond(sequence, HttpResponse.Text(200, $"{request.Method} {request.Target} {request.Body.Length}"));
            }

            d.Flush();
        }
    }

    private static string Upload(string body, bool chunked) => chunked
        ? $"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{(body.Length == 0 ? "" : $"{body.Length:x}\r\n{body}\r\n")}0\r\n\r\n"
        : $"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n{body}";

    /// <summary>The upload's reader always asks for more; its answer comes with the body's end.</summary>
    private static (string Body, string Output, string[] Paths) RunUpload(byte[] wire, int[] cuts)
    {
        var d = new CoreDriver(CoreDriver.Defaults with { StreamedBodyLimit = request => request.Path == "/up" ? 1_000_000 : null });
        var at = 0;
        foreach (var cut in cuts.Append(wire.Length))
        {
            if (cut <= at)
            {
                continue;
            }

            d.ClientSends(wire[at..cut]);
            at = cut;
            for (var round = 0; round < 10; round++)
            {
                d.Pump();
                if (d.Requests.Count > 0 && d.EventsOf("end").Count == 0)
                {
                    d.WantBody(0, "reader");
                }

                if (d.EventsOf("end").Count == 1 && d.Respond(0, "stored"))
                {
                    d.Flush();
                }

                if (d.Requests.Count == 2 && d.Respond(1, "after"))
                {
                    d.Flush();
                }
            }
        }

        var body = string.Concat(d.EventsOf("piece").Select(piece => piece["piece reader 0 ".Length..]));
        return (body, Wire.WithoutDates(d.Output), d.Requests.Select(r => r.Request.Path).ToArray());
    }
}
