using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// What browsers put in a request target: every visible ASCII character is taken (raw brackets, braces,
/// pipes, quotes...), a fragment is dropped before anything sees it, and a malformed percent escape
/// stays as it came; a control character, DEL, SP or a non-ASCII byte is still refused.
/// </summary>
public sealed class RequestTargetTests
{
    private static HttpRequest Single(string target)
    {
        var driver = ParserDriver.ParseAll($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Null(driver.Rejection);
        return Assert.Single(driver.Requests);
    }

    public static TheoryData<string, string, string, string> BrowserTargets() => new()
    {
        // target sent, Target seen, Path, Query
        { "/search?a[]=1&a[]=2", "/search?a[]=1&a[]=2", "/search", "a[]=1&a[]=2" },
        { "/search?q=a|b", "/search?q=a|b", "/search", "q=a|b" },
        { "/search?q=\"x\"", "/search?q=\"x\"", "/search", "q=\"x\"" },
        { "/search?q=<b>^`{}\\", "/search?q=<b>^`{}\\", "/search", "q=<b>^`{}\\" },
        { "/files/{id}", "/files/{id}", "/files/{id}", "" },
        { "/x[1]", "/x[1]", "/x[1]", "" },
        { "/a|b/c^d/\"e\"/<f>/`g`", "/a|b/c^d/\"e\"/<f>/`g`", "/a|b/c^d/\"e\"/<f>/`g`", "" },
        { "/hello#top", "/hello", "/hello", "" },
        { "/a?x=1#frag?y=2", "/a?x=1", "/a", "x=1" },
        { "/a#", "/a", "/a", "" },
        { "/a/#/../b", "/a/", "/a/", "" },
        { "http://localhost/a[1]?q={x}#f", "http://localhost/a[1]?q={x}", "/a[1]", "q={x}" },
        { "http://[::1]:8080/a", "http://[::1]:8080/a", "/a", "" },
        { "/a%zz?q=%zz", "/a%zz?q=%zz", "/a%zz", "q=%zz" },
        { "/a%?q=%", "/a%?q=%", "/a%", "q=%" },
        { "/a%2?q=100%", "/a%2?q=100%", "/a%2", "q=100%" },
        { "/%41%zz%42", "/%41%zz%42", "/A%zzB", "" },
        { "/%%41", "/%%41", "/%A", "" },
    };

    [Theory]
    [MemberData(nameof(BrowserTargets))]
    public void Browser_targets_are_accepted_and_parsed(string sent, string target, string path, string query)
    {
        var request = Single(sent);

        Assert.Equal(target, request.Target);
        Assert.Equal(path, request.Path);
        Assert.Equal(query, request.Query);
    }

    [Fact]
    public void Every_visible_ascii_character_is_accepted_in_the_path_and_the_query()
    {
        for (var c = (char)0x21; c <= 0x7E; c++)
        {
            if (c is '#' or '%' or '?')
            {
                continue;
            }

            var request = Single($"/p{c}?q={c}");

            Assert.Equal($"/p{c}?q={c}", request.Target);
            Assert.Equal("q=" + c, request.Query);
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x01)]
    [InlineData(0x09)]
    [InlineData(0x0B)]
    [InlineData(0x1F)]
    [InlineData(0x7F)]
    [InlineData(0x80)]
    [InlineData(0xE9)]
    [InlineData(0xFF)]
    public void Control_characters_del_and_non_ascii_bytes_are_refused_at_once_wherever_they_are(int b)
    {
        foreach (var prefix in new[] { "GET /a", "GET /a?q=", "GET /a#f", "GET http://h/" })
        {
            var driver = new ParserDriver();

            Assert.Equal(ParseOutcome.Rejected, driver.Receive(ParserDriver.Bytes(prefix + (char)b)));
            Assert.Equal(RejectionReason.InvalidRequestTarget, driver.Rejection!.Reason);
        }
    }

    [Fact]
    public void A_fragment_is_dropped_before_routing_and_a_repeated_target_still_shares_its_strings()
    {
        var driver = ParserDriver.ParseAll(
            "GET /hello#top HTTP/1.1\r\nHost: a\r\n\r\nGET /hello#bottom HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Null(driver.Rejection);
        Assert.All(driver.Requests, r => Assert.Equal("/hello", r.Target));
        Assert.Same(driver.Requests[0].Target, driver.Requests[2].Target);
    }

    [Fact]
    public void Connect_after_an_origin_form_request_with_the_same_target_is_still_refused()
    {
        // The target strings of the last request are reused, but never past the method's own rules.
        var driver = ParserDriver.ParseAll("GET /a HTTP/1.1\r\nHost: a\r\n\r\nCONNECT /a HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Single(driver.Requests);
        Assert.Equal(RejectionReason.InvalidRequestTarget, driver.Rejection?.Reason);
    }

    [Fact]
    public void Connect_is_refused_as_soon_as_its_target_ends()
    {
        var driver = new ParserDriver();

        Assert.Equal(ParseOutcome.NeedMoreData, driver.Receive(ParserDriver.Bytes("CONNECT example.com:443")));
        Assert.Equal(ParseOutcome.Rejected, driver.Receive(ParserDriver.Bytes(" ")));
        Assert.Equal(501, driver.Rejection!.StatusCode);
    }

    [Fact]
    public void Browser_target_parses_the_same_at_every_split()
    {
        var input = ParserDriver.Bytes("GET /x[1]/{id}/a|b?a[]=1&a[]=2&q=\"x\"<y>^`\\|%zz%#frag HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var expected = ParserDriver.Describe(Assert.Single(ParserDriver.ParseAll(input).Requests));

        for (var split = 1; split < input.Length; split++)
        {
            var driver = new ParserDriver();
            driver.Receive(input.AsSpan(0, split));
            driver.Receive(input.AsSpan(split));

            Assert.Null(driver.Rejection);
            Assert.Equal(expected, ParserDriver.Describe(Assert.Single(driver.Requests)));
        }

        var trickled = new ParserDriver();
        foreach (var b in input)
        {
            Assert.NotEqual(ParseOutcome.Rejected, trickled.Receive([b]));
        }

        Assert.Equal(expected, ParserDriver.Describe(Assert.Single(trickled.Requests)));
        Assert.StartsWith("GET|/x[1]/{id}/a|b?a[]=1&a[]=2&q=\"x\"<y>^`\\|%zz%|/x[1]/{id}/a|b|a[]=1&a[]=2&q=\"x\"<y>^`\\|%zz%|", expected);
    }
}
