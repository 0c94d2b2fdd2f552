using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// TCP may cut a request anywhere (RFC 9293 delivers a byte stream, not messages), so the parser must
/// produce the same requests whatever the reads look like.
/// </summary>
public sealed class ParserByteSplitTests
{
    public static TheoryData<string, string> Inputs() => new()
    {
        { "get-with-headers", "GET /echo/a%20b/../c?x=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\nX-Pad:  v \r\nConnection: close\r\n\r\n" },
        { "content-length-post", "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world" },
        {
            "chunked-extension-trailer",
            "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n006 ; x=\"y\"\r\n world\r\n0\r\nX-Trailer: done\r\n\r\n"
        },
        {
            "two-pipelined",
            "\r\nPOST /one HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "\r\n\r\n\r\nGET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        },
        {
            "browser-target",
            "GET /x[1]/{id}?a[]=1&a[]=2&q=a|b^\"c\"<d>`e`\\%zz%#frag HTTP/1.1\r\nHost: localhost\r\n\r\n"
        },
        {
            "chunk-extensions-with-bws-and-quoted-pairs",
            "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5 ;\ta = b ; q=\"x\\\"y z\"\r\nhello\r\n0;last\r\n\r\n"
        },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Split_at_every_position_parses_like_a_single_read(string name, string raw)
    {
        var input = ParserDriver.Bytes(raw);
        var expected = Expected(name, input);

        for (var split = 1; split < input.Length; split++)
        {
            var driver = new ParserDriver();
            driver.Receive(input.AsSpan(0, split));
            driver.Receive(input.AsSpan(split));

            Assert.Null(driver.Rejection);
            Assert.Equal(expected, driver.Requests.Select(ParserDriver.Describe));
            Assert.Equal(0, driver.Buffered);
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void One_byte_at_a_time_parses_like_a_single_read(string name, string raw)
    {
        var input = ParserDriver.Bytes(raw);
        var expected = Expected(name, input);

        var driver = new ParserDriver();
        var maxBuffered = 0;
        foreach (var b in input)
        {
            driver.Receive([b]);
            maxBuffered = Math.Max(maxBuffered, driver.Buffered);
        }

        Assert.Null(driver.Rejection);
        Assert.Equal(expected, driver.Requests.Select(ParserDriver.Describe));
        // Only a head (or a smaller trailer section) is ever held back; body bytes are consumed as they come.
        var firstHead = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.InRange(maxBuffered, 1, firstHead);
    }

    [Fact]
    public void Body_bytes_are_consumed_as_they_arrive()
    {
        var driver = new ParserDriver();
        driver.Receive(ParserDriver.Bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n"));

        driver.Receive(new byte[1000]);

        Assert.Equal(0, driver.Buffered);
        Assert.True(driver.Parser.HeadComplete);
        Assert.Equal(ParseOutcome.RequestComplete, driver.Receive(ParserDriver.Bytes(new string('x', 24) + "\r\n0\r\n\r\n")));
        Assert.Equal(1024, driver.Requests[0].Body.Length);
    }

    private static List<string> Expected(string name, byte[] input)
    {
        var single = ParserDriver.ParseAll(input);
        Assert.Null(single.Rejection);
        Assert.Equal(name == "two-pipelined" ? 2 : 1, single.Requests.Count);
        return single.Requests.Select(ParserDriver.Describe).ToList();
    }
}
