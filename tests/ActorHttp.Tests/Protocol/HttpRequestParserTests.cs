using System.Text;
using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public sealed class HttpRequestParserTests
{
    private const string Host = "Host: localhost\r\n";

    private static HttpRequest Single(string raw, HttpLimits? limits = null)
    {
        var driver = ParserDriver.ParseAll(raw, limits);
        Assert.Null(driver.Rejection);
        return Assert.Single(driver.Requests);
    }

    private static void AssertRejected(string raw, RejectionReason reason, int status, HttpLimits? limits = null)
    {
        var driver = ParserDriver.ParseAll(raw, limits);
        Assert.Empty(driver.Requests);
        var rejection = Assert.IsType<RequestRejection>(driver.Rejection);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(status, rejection.StatusCode);
    }

    [Fact]
    public void Rfc9112_3_simple_get_yields_method_target_path_query_version()
    {
        var request = Single("GET /echo?a=1&b=two HTTP/1.1\r\n" + Host + "\r\n");

        Assert.Equal("GET", request.Method);
        Assert.Equal("/echo?a=1&b=two", request.Target);
        Assert.Equal("/echo", request.Path);
        Assert.Equal("a=1&b=two", request.Query);
        Assert.Equal(HttpVersion.Http11, request.Version);
        Assert.Equal("localhost", request.Host);
        Assert.True(request.Body.IsEmpty);
        Assert.Same(HttpHeaders.Empty, request.Trailers);
    }

    [Fact]
    public void Rfc9110_9_1_common_methods_are_interned_and_unknown_tokens_accepted()
    {
        Assert.Same("GET", Single("GET / HTTP/1.1\r\n" + Host + "\r\n").Method);
        Assert.Same("OPTIONS", Single("OPTIONS / HTTP/1.1\r\n" + Host + "\r\n").Method);
        // Unknown methods are the router's business (501), not the parser's.
        Assert.Equal("BREW", Single("BREW / HTTP/1.1\r\n" + Host + "\r\n").Method);
    }

    [Fact]
    public void Rfc9110_5_1_headers_keep_order_and_spelling_and_look_up_case_insensitively()
    {
        var request = Single("GET / HTTP/1.1\r\nhost: localhost\r\nX-One: 1\r\nx-two: 2\r\nX-One: 3\r\n\r\n");

        Assert.Equal(["host", "X-One", "x-two", "X-One"], request.Headers.Select(h => h.Key));
        Assert.Equal("localhost", request.Headers["HOST"]);
        Assert.Equal(["1", "3"], request.Headers.GetValues("x-one"));
        Assert.Same("host", request.Headers[0].Key);
    }

    [Fact]
    public void Rfc9112_5_1_value_ows_is_trimmed_and_inner_whitespace_kept()
    {
        var request = Single("GET / HTTP/1.1\r\n" + Host + "X-Pad: \t padded  value \t \r\nX-Empty:\r\n\r\n");

        Assert.Equal("padded  value", request.Headers["X-Pad"]);
        Assert.Equal("", request.Headers["X-Empty"]);
    }

    [Fact]
    public void Rfc9110_5_5_obs_text_values_decode_as_latin1()
    {
        var request = Single("GET / HTTP/1.1\r\n" + Host + "X-Name: caf\u00e9\r\n\r\n");

        Assert.Equal("caf\u00e9", request.Headers["X-Name"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void Rfc9112_2_2_leading_empty_lines_are_ignored(int emptyLines)
    {
        var raw = string.Concat(Enumerable.Repeat("\r\n", emptyLines)) + "GET /echo HTTP/1.1\r\n" + Host + "\r\n";

        Assert.Equal("/echo", Single(raw).Path);
    }

    [Fact]
    public void Rfc9112_2_2_empty_lines_are_ignored_while_they_fit_in_a_request_line_and_refused_past_that()
    {
        var limits = new HttpLimits { MaxRequestLineBytes = 32 };
        var request = "GET / HTTP/1.1\r\n" + Host + "\r\n";

        Assert.Equal("/", Single(string.Concat(Enumerable.Repeat("\r\n", 16)) + request, limits).Path);
        AssertRejected(string.Concat(Enumerable.Repeat("\r\n", 17)) + request, RejectionReason.TooManyEmptyLines, 400, limits);
    }

    [Fact]
    public void Rfc9112_2_2_empty_lines_are_consumed_as_they_arrive_and_count_afresh_for_each_request()
    {
        var limits = new HttpLimits { MaxRequestLineBytes = 32 };
        var driver = new ParserDriver(limits);

        Assert.Equal(ParseOutcome.NeedMoreData, driver.Receive(ParserDriver.Bytes(string.Concat(Enumerable.Repeat("\r\n", 15)) + "\r")));
        Assert.Equal(1, driver.Buffered);
        Assert.True(driver.Parser.HasPartialRequest);
        driver.Receive(ParserDriver.Bytes("\nGET /a HTTP/1.1\r\n" + Host + "\r\n"));
        driver.Receive(ParserDriver.Bytes(string.Concat(Enumerable.Repeat("\r\n", 16)) + "GET /b HTTP/1.1\r\n" + Host + "\r\n"));

        Assert.Null(driver.Rejection);
        Assert.Equal(["/a", "/b"], driver.Requests.Select(r => r.Path));
    }

    [Theory]
    [InlineData("\r\n\nGET / HTTP/1.1\r\n")]
    [InlineData("\r\n\r\rGET / HTTP/1.1\r\n")]
    public void Rfc9112_2_2_a_bare_lf_or_cr_among_the_empty_lines_is_refused(string raw) =>
        AssertRejected(raw + Host + "\r\n", RejectionReason.BareCarriageReturn, 400);

    [Fact]
    public void Rfc9112_6_2_content_length_body_is_read_exactly()
    {
        var request = Single("POST /echo HTTP/1.1\r\n" + Host + "Content-Length: 11\r\n\r\nhello world");

        Assert.Equal("hello world", Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void Rfc9112_6_3_no_framing_headers_means_an_empty_body_and_the_rest_is_the_next_request()
    {
        var driver = ParserDriver.ParseAll("POST /a HTTP/1.1\r\n" + Host + "\r\nGET /b HTTP/1.1\r\n" + Host + "\r\n");

        Assert.Equal(["/a", "/b"], driver.Requests.Select(r => r.Path));
        Assert.True(driver.Requests[0].Body.IsEmpty);
    }

    [Fact]
    public void Rfc9112_7_1_chunked_body_is_dechunked_with_hex_sizes_and_leading_zeros()
    {
        var request = Single("POST /echo HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n00A\r\n 012345678\r\n0\r\n\r\n");

        Assert.Equal("hello 012345678", Encoding.ASCII.GetString(request.Body.Span));
        Assert.Same(HttpHeaders.Empty, request.Trailers);
    }

    [Fact]
    public void Rfc9112_7_1_1_chunk_extensions_are_skipped_and_7_1_2_trailers_kept_apart()
    {
        var request = Single("POST /echo HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;flag\r\nhello\r\n6 ; q=\"a b\"\r\n world\r\n0;last\r\nX-Trailer: done\r\nX-Sum:  42 \r\n\r\n");

        Assert.Equal("hello world", Encoding.ASCII.GetString(request.Body.Span));
        Assert.Equal("done", request.Trailers["x-trailer"]);
        Assert.Equal("42", request.Trailers["X-Sum"]);
        Assert.False(request.Headers.Contains("X-Trailer"));
    }

    [Theory]
    [InlineData("5;name=value;q=\"a b\"")]
    [InlineData("5 ; a=b")]
    [InlineData("5\t;\ta\t=\tb\t;\tc")]
    [InlineData("5;a=\"\"")]
    [InlineData("5;a=\"x\\\"y\\\\z\t\u00e9\"")]
    [InlineData("5;a=\"b\" ;c")]
    [InlineData("5;a;b;c=!#$%&'*+-.^_`|~")]
    [InlineData("5;a =b")]
    public void Rfc9112_7_1_1_well_formed_chunk_extensions_pass(string sizeLine)
    {
        var request = Single("POST /echo HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n" + sizeLine + "\r\nhello\r\n0\r\n\r\n");

        Assert.Equal("hello", Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void Rfc9112_6_1_transfer_encoding_may_span_lines_and_is_case_insensitive()
    {
        var request = Single("POST / HTTP/1.1\r\n" + Host + "Transfer-Encoding: \r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        Assert.Equal("abc", Encoding.ASCII.GetString(request.Body.Span));
    }

    [Fact]
    public void Rfc9110_10_1_1_expect_100_continue_is_flagged_until_the_body_completes()
    {
        var driver = new ParserDriver();
        Assert.False(driver.Parser.HasPartialRequest);

        var outcome = driver.Receive(ParserDriver.Bytes("POST / HTTP/1.1\r\n" + Host + "Expect: 100-Continue\r\nContent-Length: 5\r\n\r\n"));

        Assert.Equal(ParseOutcome.NeedMoreData, outcome);
        Assert.True(driver.Parser.HeadComplete);
        Assert.True(driver.Parser.ExpectsContinue);
        Assert.True(driver.Parser.HasPartialRequest);
        Assert.Equal(0, driver.Buffered);

        Assert.Equal(ParseOutcome.NeedMoreData, driver.Receive("abc"u8));
        Assert.True(driver.Parser.ExpectsContinue);
        Assert.Equal(ParseOutcome.RequestComplete, driver.Receive("de"u8));

        Assert.False(driver.Parser.ExpectsContinue);
        Assert.False(driver.Parser.HeadComplete);
        Assert.False(driver.Parser.HasPartialRequest);
        Assert.Equal("abcde", Encoding.ASCII.GetString(driver.Requests[0].Body.Span));
    }

    [Fact]
    public void Rfc9110_10_1_1_expect_100_continue_also_applies_to_chunked_bodies()
    {
        var driver = new ParserDriver();
        driver.Receive(ParserDriver.Bytes("POST / HTTP/1.1\r\n" + Host + "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"));

        Assert.True(driver.Parser.ExpectsContinue);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")]
    public void Rfc9110_10_1_1_no_continue_without_a_body_to_wait_for(string raw)
    {
        var driver = ParserDriver.ParseAll(raw);

        Assert.Single(driver.Requests);
        Assert.False(driver.Parser.ExpectsContinue);
    }

    [Fact]
    public void Rfc9110_10_1_1_http10_expectation_is_ignored()
    {
        var driver = new ParserDriver();
        driver.Receive(ParserDriver.Bytes("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));

        Assert.True(driver.Parser.HeadComplete);
        Assert.False(driver.Parser.ExpectsContinue);
    }

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive, Close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: Keep-Alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: x\r\nConnection: keep-alive\r\n", true)]
    public void Rfc9112_9_3_persistence_depends_on_version_and_connection_tokens(string version, string connection, bool keepAlive)
    {
        var request = Single($"GET / {version}\r\n{Host}{connection}\r\n");

        Assert.Equal(keepAlive, request.KeepAlive);
    }

    [Fact]
    public void Rfc9112_3_2_http10_may_omit_host()
    {
        var request = Single("GET /echo HTTP/1.0\r\n\r\n");

        Assert.Equal(HttpVersion.Http10, request.Version);
        Assert.Null(request.Host);
    }

    [Theory]
    [InlineData("http://localhost/echo?q=1", "/echo", "q=1")]
    [InlineData("HTTPS://localhost:8443/a/../b", "/b", "")]
    [InlineData("http://localhost", "/", "")]
    [InlineData("http://localhost?x", "/", "x")]
    public void Rfc9112_3_2_2_absolute_form_takes_path_and_query_from_the_uri(string target, string path, string query)
    {
        var request = Single($"GET {target} HTTP/1.1\r\n{Host}\r\n");

        Assert.Equal(target, request.Target);
        Assert.Equal(path, request.Path);
        Assert.Equal(query, request.Query);
    }

    [Fact]
    public void Rfc9112_3_2_4_asterisk_form_for_options()
    {
        var request = Single("OPTIONS * HTTP/1.1\r\n" + Host + "\r\n");

        Assert.Equal("*", request.Path);
        Assert.Equal("*", request.Target);
        Assert.Equal("", request.Query);
    }

    [Fact]
    public void Rfc3986_5_2_4_path_is_decoded_and_dot_segments_removed()
    {
        var request = Single("GET /echo/%2e%2e/a%20b/./c%2Fd?x=%20 HTTP/1.1\r\n" + Host + "\r\n");

        Assert.Equal("/a b/c%2Fd", request.Path);
        Assert.Equal("x=%20", request.Query);
    }

    [Fact]
    public void Rfc9112_9_3_pipelined_requests_parse_one_after_another()
    {
        var parser = new HttpRequestParser(HttpLimits.Default);
        var first = "POST /one HTTP/1.1\r\n" + Host + "Content-Length: 3\r\n\r\nabc";
        var second = "GET /two HTTP/1.1\r\n" + Host + "\r\n";
        var data = ParserDriver.Bytes(first + second);

        Assert.Equal(ParseOutcome.RequestComplete, parser.Parse(data, out var consumed));
        Assert.Equal(first.Length, consumed);
        Assert.Equal("/one", parser.Request!.Path);
        Assert.Equal("abc", Encoding.ASCII.GetString(parser.Request.Body.Span));
        Assert.False(parser.HasPartialRequest);

        Assert.Equal(ParseOutcome.RequestComplete, parser.Parse(data.AsSpan(consumed), out var consumed2));
        Assert.Equal(second.Length, consumed2);
        Assert.Equal("/two", parser.Request!.Path);

        Assert.Equal(ParseOutcome.NeedMoreData, parser.Parse([], out var consumed3));
        Assert.Equal(0, consumed3);
        Assert.False(parser.HasPartialRequest);
    }

    [Fact]
    public void Head_is_not_consumed_until_complete_and_partial_request_is_reported()
    {
        var parser = new HttpRequestParser(HttpLimits.Default);

        Assert.Equal(ParseOutcome.NeedMoreData, parser.Parse("G"u8, out var consumed));
        Assert.Equal(0, consumed);
        Assert.True(parser.HasPartialRequest);
        Assert.False(parser.HeadComplete);

        Assert.Equal(ParseOutcome.NeedMoreData, parser.Parse("GET / HTTP/1.1\r\nHost: a\r\n"u8, out consumed));
        Assert.Equal(0, consumed);
        Assert.Null(parser.Request);
    }

    [Fact]
    public void Rfc9112_2_2_tls_client_hello_is_refused_before_any_lf_arrives()
    {
        var parser = new HttpRequestParser(HttpLimits.Default);

        Assert.Equal(ParseOutcome.Rejected, parser.Parse([0x16, 0x03, 0x01, 0x02, 0x00], out _));
        Assert.Equal(RejectionReason.InvalidMethod, parser.Rejection!.Reason);
        Assert.Equal(400, parser.Rejection.StatusCode);
        // A refused parser stays refused.
        Assert.Equal(ParseOutcome.Rejected, parser.Parse("GET / HTTP/1.1\r\n"u8, out _));
    }

    [Fact]
    public void Rfc9112_3_request_line_longer_than_the_limit_is_414_before_its_end_arrives()
    {
        var limits = new HttpLimits { MaxRequestLineBytes = 32 };
        var line = "GET /" + new string('a', 18) + " HTTP/1.1";
        Assert.Equal(32, line.Length);

        var atLimit = new HttpRequestParser(limits);
        Assert.Equal(ParseOutcome.NeedMoreData, atLimit.Parse(ParserDriver.Bytes(line + "\r"), out _));
        Assert.Equal(ParseOutcome.NeedMoreData, atLimit.Parse(ParserDriver.Bytes(line + "\r\nHost"), out _));
        Assert.Null(atLimit.Rejection);

        var tooLong = new HttpRequestParser(limits);
        var longer = "GET /" + new string('a', 19) + " HTTP/1.1\r";
        Assert.Equal(ParseOutcome.Rejected, tooLong.Parse(ParserDriver.Bytes(longer), out _));
        Assert.Equal(RejectionReason.RequestLineTooLong, tooLong.Rejection!.Reason);
        Assert.Equal(414, tooLong.Rejection.StatusCode);
    }

    [Fact]
    public void Rfc6585_5_headers_past_the_limit_are_431_before_the_head_ends()
    {
        var parser = new HttpRequestParser(new HttpLimits { MaxHeaderBytes = 64 });

        Assert.Equal(ParseOutcome.Rejected, parser.Parse(ParserDriver.Bytes("GET / HTTP/1.1\r\nX-Big: " + new string('a', 60)), out _));
        Assert.Equal(RejectionReason.HeadersTooLarge, parser.Rejection!.Reason);
        Assert.Equal(431, parser.Rejection.StatusCode);
    }

    [Fact]
    public void Rfc9110_15_5_14_declared_body_over_the_limit_is_413_before_any_body_byte()
    {
        var parser = new HttpRequestParser(new HttpLimits { MaxBodyBytes = 10 });

        Assert.Equal(ParseOutcome.Rejected, parser.Parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"u8, out _));
        Assert.Equal(RejectionReason.BodyTooLarge, parser.Rejection!.Reason);
        Assert.Equal(413, parser.Rejection.StatusCode);
    }

    [Fact]
    public void Limits_at_exactly_the_maximum_are_accepted()
    {
        var limits = new HttpLimits { MaxHeaderCount = 2, MaxBodyBytes = 5, MaxHeaderBytes = 32 };

        var request = Single("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde", limits);
        Assert.Equal(5, request.Body.Length);
        var chunked = Single("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n", limits with { MaxHeaderBytes = 64 });
        Assert.Equal(5, chunked.Body.Length);
    }

    public static TheoryData<string, RejectionReason, int> Rejections() => new()
    {
        // RFC 9112 §3: single SP between the three parts.
        { "GET  /echo HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestLine, 400 },
        { "GET /echo\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestLine, 400 },
        { "GET /echo  HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestLine, 400 },
        // RFC 9110 §9.1: method is a token.
        { "G(T /echo HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidMethod, 400 },
        { " GET /echo HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidMethod, 400 },
        // RFC 9112 §3.2: origin-, absolute-, asterisk-form (OPTIONS only); no authority-form here.
        { "GET echo HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET #frag HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET /a\u0001 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET /a\u007f HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET /a?q=\tb HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET /a#\u0080 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET * HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET http:///b HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET http://user@a/b HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET http://a|b/c HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "GET http://[::1/c HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        // RFC 9112 §3.2.3: authority-form is CONNECT's alone, and CONNECT takes nothing else; a tunnel is not served.
        { "GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "CONNECT /echo HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "CONNECT example.com:http HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "CONNECT a|b:443 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidRequestTarget, 400 },
        { "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", RejectionReason.ConnectNotSupported, 501 },
        { "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", RejectionReason.ConnectNotSupported, 501 },
        // RFC 9112 §2.3: version is case-sensitive and exact.
        { "GET / http/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion, 400 },
        { "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion, 400 },
        { "GET / HTTP/11\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion, 400 },
        // A target holds no SP, so what follows the first SP after it is the version.
        { "GET /ec ho HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidVersion, 400 },
        // RFC 9110 §15.6.6.
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", RejectionReason.UnsupportedVersion, 505 },
        { "GET / HTTP/0.9\r\nHost: a\r\n\r\n", RejectionReason.UnsupportedVersion, 505 },
        // RFC 9110 §5.1: field name is a token.
        { "GET / HTTP/1.1\r\nHost: a\r\nX@Foo: bar\r\n\r\n", RejectionReason.InvalidHeaderName, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\n: bar\r\n\r\n", RejectionReason.InvalidHeaderName, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", RejectionReason.InvalidHeaderName, 400 },
        // RFC 9110 §5.5: no CTL but HTAB in a value.
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\u0000b\r\n\r\n", RejectionReason.InvalidHeaderValue, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\u007fb\r\n\r\n", RejectionReason.InvalidHeaderValue, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\u001bb\r\n\r\n", RejectionReason.InvalidHeaderValue, 400 },
        // RFC 9112 §5.1, §5.2.
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo : bar\r\n\r\n", RejectionReason.WhitespaceBeforeColon, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo\t: bar\r\n\r\n", RejectionReason.WhitespaceBeforeColon, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\r\n  folded\r\n\r\n", RejectionReason.ObsoleteLineFolding, 400 },
        { "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", RejectionReason.ObsoleteLineFolding, 400 },
        // RFC 9112 §2.2: CRLF only.
        { "GET / HTTP/1.1\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "GET / HTTP/1.1\r\nHost: a\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\n\n", RejectionReason.BareCarriageReturn, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Foo: a\rb\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        // RFC 9112 §3.2: Host.
        { "GET / HTTP/1.1\r\n\r\n", RejectionReason.MissingHost, 400 },
        { "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", RejectionReason.MultipleHosts, 400 },
        { "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", RejectionReason.MultipleHosts, 400 },
        { "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", RejectionReason.InvalidHost, 400 },
        { "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", RejectionReason.InvalidHost, 400 },
        { "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", RejectionReason.InvalidHost, 400 },
        { "GET / HTTP/1.1\r\nHost: a?b\r\n\r\n", RejectionReason.InvalidHost, 400 },
        { "GET / HTTP/1.1\r\nHost: a#b\r\n\r\n", RejectionReason.InvalidHost, 400 },
        { "GET / HTTP/1.1\r\nHost:\r\n\r\n", RejectionReason.InvalidHost, 400 },
        // RFC 9112 §6.3: Content-Length = 1*DIGIT, once.
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", RejectionReason.InvalidContentLength, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", RejectionReason.MultipleContentLengths, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", RejectionReason.MultipleContentLengths, 400 },
        // RFC 9112 §6.1: Transfer-Encoding.
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RejectionReason.ContentLengthWithTransferEncoding, 400 },
        { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RejectionReason.TransferEncodingInHttp10, 400 },
        // A known final chunked after a coding we do not decode: the length is known, the coding is not implemented.
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", RejectionReason.UnsupportedTransferCoding, 501 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RejectionReason.UnsupportedTransferCoding, 501 },
        // RFC 9112 §6.3: chunked not last means the length cannot be known, whatever the codings are.
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: pigeons\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked, chunked\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n0\r\n\r\n", RejectionReason.ChunkedNotFinal, 400 },
        // RFC 9112 §7.1: chunk framing.
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", RejectionReason.InvalidChunkSize, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n0\r\n\r\n", RejectionReason.InvalidChunkSize, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n", RejectionReason.InvalidChunkSize, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", RejectionReason.InvalidChunkSize, 400 },
        // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] ).
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a\u0001b\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a[=x\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"x\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;=x\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;;a\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b c\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\"c\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"\\\u0001\"\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a \r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;" + new string('e', 300) + "\r\nabc\r\n0\r\n\r\n", RejectionReason.InvalidChunkExtension, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", RejectionReason.MissingChunkTerminator, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n", RejectionReason.MissingChunkTerminator, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n", RejectionReason.BareCarriageReturn, 400 },
        // RFC 9112 §7.1.2: trailers follow the field rules.
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Name: x\r\n\r\n", RejectionReason.InvalidTrailer, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\u0000\r\n\r\n", RejectionReason.InvalidTrailer, 400 },
        // RFC 9110 §15.5.14: too large.
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000000\r\n\r\n", RejectionReason.BodyTooLarge, 413 },
        // RFC 9112 §7.1: a size past 63 bits frames no body at all, a framing error; one within them but over the limit is 413.
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nx\r\n0\r\n\r\n", RejectionReason.ChunkSizeTooLarge, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00008000000000000000\r\n", RejectionReason.ChunkSizeTooLarge, 400 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n", RejectionReason.BodyTooLarge, 413 },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1C9C381\r\n", RejectionReason.BodyTooLarge, 413 },
        // RFC 3986 §2.1, §2.5: a path that decodes to NUL or to bytes that are not UTF-8.
        { "GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidPercentEncoding, 400 },
        { "GET /a%ff HTTP/1.1\r\nHost: a\r\n\r\n", RejectionReason.InvalidPercentEncoding, 400 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Malformed_requests_are_refused_with_the_rule_they_break(string raw, RejectionReason reason, int status) =>
        AssertRejected(raw, reason, status);

    [Fact]
    public void Rfc6585_5_too_many_headers_is_431()
    {
        var raw = "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 3).Select(i => $"X-{i}: v\r\n")) + "\r\n";

        AssertRejected(raw, RejectionReason.TooManyHeaders, 431, new HttpLimits { MaxHeaderCount = 3 });
        Assert.Equal(4, Single(raw, new HttpLimits { MaxHeaderCount = 4 }).Headers.Count);
    }

    [Fact]
    public void Rfc6585_5_trailers_count_against_the_header_limits()
    {
        var raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nX-Long: " + new string('a', 60) + "\r\n\r\n";

        AssertRejected(raw, RejectionReason.TooManyHeaders, 431, new HttpLimits { MaxHeaderCount = 1 });
        // The head's fields take 39 bytes, the trailer section 78: only the trailers break a 50-byte limit.
        AssertRejected(raw, RejectionReason.HeadersTooLarge, 431, new HttpLimits { MaxHeaderBytes = 50 });
        Assert.Equal(2, Single(raw, new HttpLimits { MaxHeaderBytes = 78 }).Trailers.Count);
    }

    [Fact]
    public void Rfc9110_15_5_14_chunks_adding_up_past_the_limit_are_413()
    {
        var raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";

        AssertRejected(raw, RejectionReason.BodyTooLarge, 413, new HttpLimits { MaxBodyBytes = 5 });
    }

    [Fact]
    public void Every_rejection_reason_is_covered_by_a_test()
    {
        var covered = Rejections().Select(row => (RejectionReason)row[1])
            .Concat([RejectionReason.RequestLineTooLong, RejectionReason.HeadersTooLarge, RejectionReason.TooManyHeaders, RejectionReason.TooManyEmptyLines]);

        Assert.Empty(Enum.GetValues<RejectionReason>().Except(covered));
    }

    [Fact]
    public void Declared_body_is_not_allocated_before_it_arrives()
    {
        // A client announcing 30 MB and sending 10 bytes must not make the server hold 30 MB.
        var parser = new HttpRequestParser(HttpLimits.Default);
        var input = Encoding.Latin1.GetBytes("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 29000000\r\n\r\n0123456789");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var outcome = parser.Parse(input, out var consumed);

        Assert.Equal(ParseOutcome.NeedMoreData, outcome);
        Assert.Equal(input.Length, consumed);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024 * 1024);
    }

    [Fact]
    public void Content_length_body_split_over_many_reads_arrives_whole()
    {
        var payload = new byte[300_000];
        new Random(3).NextBytes(payload);
        var parser = new HttpRequestParser(HttpLimits.Default);
        Assert.Equal(ParseOutcome.NeedMoreData, parser.Parse(Encoding.Latin1.GetBytes($"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: {payload.Length}\r\n\r\n"), out _));

        var outcome = ParseOutcome.NeedMoreData;
        for (var offset = 0; offset < payload.Length; offset += 7_001)
        {
            outcome = parser.Parse(payload.AsSpan(offset, Math.Min(7_001, payload.Length - offset)), out var consumed);
            Assert.Equal(Math.Min(7_001, payload.Length - offset), consumed);
        }

        Assert.Equal(ParseOutcome.RequestComplete, outcome);
        Assert.Equal(payload, parser.Request!.Body.ToArray());
    }
}
