using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// A request line or field line that is already wrong is refused as soon as its LF arrives, or at the
/// first byte that no continuation could make right, never only when the head ends (or the header
/// timeout fires); and with the reason the whole head would get, however the bytes are split.
/// </summary>
public sealed class ParserEarlyRefusalTests
{
    private const string Line = "GET / HTTP/1.1\r\n";

    /// <summary>
    /// The bytes up to the one that decides (no CRLFCRLF among them), what would complete the head, and
    /// the reason.
    /// </summary>
    public static TheoryData<string, string, RejectionReason> Cases() => new()
    {
        // Request line: a byte that cannot be where it is.
        { "G\0", "ET / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidMethod },
        { "GE(", "T / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidMethod },
        { "GET /a\0", "b HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /caf\u00e9", " HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /a[]?q={x}|\u007f", " HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /a#frag\u0001", " HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "\r\n\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn },
        { "\r\n\rG", "ET / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn },
        { "GET / X", "TTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion },
        { "GET / HTTP/1\0", ".1\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion },
        { "GET / HTTP/1.1x", "\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion },
        { "GET /a b", " HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion },
        { "GET  ", "/ HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestLine },
        { "GET /\rX", " HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn },

        // Request line: a part that is wrong once it is whole.
        { "GET echo ", "HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET /a%ff ", "HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidPercentEncoding },
        { "GET * ", "HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "GET example.com:443 ", "HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget },
        { "CONNECT example.com:443 ", "HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.ConnectNotSupported },
        { "GET /echo\r\n", "Host: a\r\n\r\n", RejectionReason.InvalidRequestLine },
        { "GET / HTTP/2.0\r\n", "Host: a\r\n\r\n", RejectionReason.UnsupportedVersion },
        { "GET / HTTP/1.1\n", "Host: a\r\n\r\n", RejectionReason.BareCarriageReturn },

        // Field line: a byte that cannot be where it is.
        { Line + "Host: a\r\nX@", "Foo: bar\r\n\r\n", RejectionReason.InvalidHeaderName },
        { Line + "Host: a\r\nX-Foo :", " bar\r\n\r\n", RejectionReason.WhitespaceBeforeColon },
        { Line + "Host: a\r\nX-Foo: a\0", "b\r\n\r\n", RejectionReason.InvalidHeaderValue },
        { Line + "Host: a\r\nX-Foo: a\u007f", "b\r\n\r\n", RejectionReason.InvalidHeaderValue },
        { Line + "Host: a\r\n ", "folded\r\n\r\n", RejectionReason.ObsoleteLineFolding },
        { Line + "Host: a\r\nX-Foo: a\rb", "\r\n\r\n", RejectionReason.BareCarriageReturn },
        { Line + "Host: a\r\nX-Foo: a\n", "\r\n", RejectionReason.BareCarriageReturn },

        // Field line: wrong once its LF is here.
        { Line + "Host: a\r\nContent-Length: -1\r\n", "\r\n", RejectionReason.InvalidContentLength },
        { Line + "Host: a\r\nContent-Length: 1, 1\r\n", "\r\n", RejectionReason.MultipleContentLengths },
        { Line + "Host: a\r\nNoColon\r\n", "\r\n", RejectionReason.InvalidHeaderName },
        { Line + "Host: a b\r\n", "\r\n", RejectionReason.InvalidHost },
        { Line + "Host: :8080\r\n", "\r\n", RejectionReason.InvalidHost },
    };

    public static TheoryData<string, RejectionReason> Prefixes()
    {
        var prefixes = new TheoryData<string, RejectionReason>();
        foreach (var row in Cases())
        {
            prefixes.Add((string)row[0], (RejectionReason)row[2]);
        }

        return prefixes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refused_at_the_deciding_byte_and_not_before(string prefix, string rest, RejectionReason reason)
    {
        var bytes = ParserDriver.Bytes(prefix);
        var driver = new ParserDriver();

        for (var i = 0; i < bytes.Length - 1; i++)
        {
            Assert.Equal(ParseOutcome.NeedMoreData, driver.Receive(bytes.AsSpan(i, 1)));
        }

        Assert.Equal(ParseOutcome.Rejected, driver.Receive(bytes.AsSpan(bytes.Length - 1)));
        Assert.Equal(reason, driver.Rejection!.Reason);
        Assert.Equal(RequestRejection.For(reason), driver.Rejection);
        Assert.DoesNotContain("\r\n\r\n", prefix, StringComparison.Ordinal);
        Assert.Equal(ParseOutcome.Rejected, driver.Receive(ParserDriver.Bytes(rest)));
        Assert.Empty(driver.Requests);
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void The_bytes_up_to_the_deciding_one_are_refused_at_every_split(string prefix, RejectionReason reason)
    {
        var bytes = ParserDriver.Bytes(prefix);

        for (var split = 0; split <= bytes.Length; split++)
        {
            var driver = new ParserDriver();
            driver.Receive(bytes.AsSpan(0, split));
            driver.Receive(bytes.AsSpan(split));

            Assert.Equal(reason, driver.Rejection?.Reason);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_whole_head_gets_the_same_refusal_at_every_split(string prefix, string rest, RejectionReason reason)
    {
        var bytes = ParserDriver.Bytes(prefix + rest);

        Assert.Equal(reason, ParserDriver.ParseAll(bytes).Rejection?.Reason);
        for (var split = 1; split < bytes.Length; split++)
        {
            var driver = new ParserDriver();
            driver.Receive(bytes.AsSpan(0, split));
            driver.Receive(bytes.AsSpan(split));

            Assert.Equal(reason, driver.Rejection?.Reason);
            Assert.Empty(driver.Requests);
        }
    }

    [Fact]
    public void Trickled_request_that_is_valid_is_never_refused_early()
    {
        var raw = "\r\n\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: [::1]:8080\r\nX-Latin: caf\u00e9\r\nX-Empty:\r\nX-Tab:\tv\t\r\n"
            + "Content-Length: 3\r\n\r\nabc\r\n\r\nGET /a[1]/{b}?c=|^\"<>`%zz#d HTTP/1.1\r\nHost: x\r\n\r\n";
        var driver = new ParserDriver();

        foreach (var b in ParserDriver.Bytes(raw))
        {
            Assert.NotEqual(ParseOutcome.Rejected, driver.Receive([b]));
        }

        Assert.Equal("abc", System.Text.Encoding.ASCII.GetString(driver.Requests[0].Body.Span));
        Assert.Equal("/a[1]/{b}?c=|^\"<>`%zz", driver.Requests[1].Target);
    }

    [Theory]
    [InlineData(10, RejectionReason.InvalidHeaderValue)]
    [InlineData(40, RejectionReason.HeadersTooLarge)]
    public void A_wrong_byte_decides_before_the_size_limit_only_when_it_comes_first(int padding, RejectionReason reason)
    {
        // The field section may hold 32 bytes: a NUL inside them is what is wrong, one past them comes after the limit broke.
        var limits = new HttpLimits { MaxHeaderBytes = 32 };
        var bytes = ParserDriver.Bytes(Line + "X-Big: " + new string('a', padding) + "\0" + new string('a', 40));

        Assert.Equal(reason, ParserDriver.ParseAll(bytes, limits).Rejection?.Reason);
        var trickled = new ParserDriver(limits);
        foreach (var b in bytes)
        {
            if (trickled.Receive([b]) == ParseOutcome.Rejected)
            {
                break;
            }
        }

        Assert.Equal(reason, trickled.Rejection?.Reason);
    }

    [Fact]
    public void A_wrong_line_decides_before_too_many_lines_when_it_comes_first()
    {
        var limits = new HttpLimits { MaxHeaderCount = 2 };
        var raw = Line + "Host: a\r\nContent-Length: x\r\nX-Third: 3\r\n\r\n";

        Assert.Equal(RejectionReason.InvalidContentLength, ParserDriver.ParseAll(raw, limits).Rejection?.Reason);
        Assert.Equal(RejectionReason.TooManyHeaders, ParserDriver.ParseAll(Line + "Host: a\r\nX-2: 2\r\nX-Third: 3\r\n\r\n", limits).Rejection?.Reason);
    }
}
