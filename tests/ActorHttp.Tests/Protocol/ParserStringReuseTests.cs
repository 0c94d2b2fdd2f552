using ActorHttp.Protocol;
using ActorHttp.Routing;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// A keep-alive connection's parser reuses the strings of the last request when the bytes repeat
/// (target, path, query, known field values, the field list itself), and never hands out a stale one.
/// </summary>
public sealed class ParserStringReuseTests
{
    private static (HttpRequest First, HttpRequest Second) Two(string first, string second)
    {
        var driver = ParserDriver.ParseAll(first + second);
        Assert.Null(driver.Rejection);
        Assert.Equal(2, driver.Requests.Count);
        return (driver.Requests[0], driver.Requests[1]);
    }

    [Fact]
    public void A_repeated_request_shares_its_target_path_query_values_and_field_list_with_the_last()
    {
        const string request = "GET /items?page=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
        var (first, second) = Two(request, request);

        Assert.Same(first.Target, second.Target);
        Assert.Same(first.Path, second.Path);
        Assert.Same(first.Query, second.Query);
        Assert.Same(first.Headers, second.Headers);
        Assert.Equal("/items", second.Path);
        Assert.Equal("page=2", second.Query);
        Assert.Equal("example.com", second.Host);
    }

    [Fact]
    public void A_changed_value_is_decoded_anew_while_the_unchanged_ones_are_still_shared()
    {
        var (first, second) = Two(
            "GET / HTTP/1.1\r\nHost: a.example\r\nUser-Agent: client/1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: b.example\r\nUser-Agent: client/1\r\n\r\n");

        Assert.Equal("a.example", first.Host);
        Assert.Equal("b.example", second.Host);
        Assert.NotSame(first.Headers, second.Headers);
        Assert.Same(first.Headers["User-Agent"], second.Headers["User-Agent"]);
    }

    [Fact]
    public void Fields_are_reused_by_position_name_and_value_and_keep_their_spelling()
    {
        var driver = ParserDriver.ParseAll(
            "GET / HTTP/1.1\r\nHost: example.com\r\nX-Custom: 1\r\n\r\n" +
            "GET / HTTP/1.1\r\nhost: example.com\r\nX-Custom: 1\r\n\r\n" +
            "GET / HTTP/1.1\r\nX-Custom: 1\r\nhost: example.com\r\n\r\n");
        var (first, second, third) = (driver.Requests[0].Headers, driver.Requests[1].Headers, driver.Requests[2].Headers);

        Assert.Equal("Host", first[0].Key);
        Assert.Equal("host", second[0].Key);
        Assert.Same(first[1].Key, second[1].Key);
        Assert.Same(first[1].Value, second[1].Value);
        Assert.Equal(["X-Custom: 1", "host: example.com"], third.Select(f => $"{f.Key}: {f.Value}"));
    }

    [Fact]
    public void A_different_target_after_a_repeated_one_gets_its_own_path_and_query()
    {
        var driver = ParserDriver.ParseAll(
            "GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
            "GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n" +
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n" +
            "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n" +
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");

        Assert.Null(driver.Rejection);
        Assert.Equal(
            ["/a%20b?x=1 /a b x=1", "/a%20b?x=1 /a b x=1", "/c /c ", "* * ", "/c /c "],
            driver.Requests.Select(r => $"{r.Target} {r.Path} {r.Query}"));
        Assert.Same(driver.Requests[0].Path, driver.Requests[1].Path);
    }

    [Fact]
    public void Values_with_obs_text_are_decoded_as_Latin1_every_time()
    {
        const string request = "GET / HTTP/1.1\r\nHost: h\r\nAccept-Language: caf\u00e9\r\n\r\n";
        var (first, second) = Two(request, request);

        Assert.Equal("caf\u00e9", first.Headers["Accept-Language"]);
        Assert.Equal("caf\u00e9", second.Headers["Accept-Language"]);
    }

    [Fact]
    public void Foreach_over_headers_yields_every_field_in_order()
    {
        var headers = new HttpHeaders([("A", "1"), ("B", "2"), ("A", "3")]);
        var seen = new List<string>();
        foreach (var (name, value) in headers)
        {
            seen.Add(name + "=" + value);
        }

        Assert.Equal(["A=1", "B=2", "A=3"], seen);
        Assert.True(headers.HasToken("a", "3"));
        Assert.False(headers.HasToken("B", "1"));
    }

    [Theory]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/x", true)]
    [InlineData("/api", "/apix", false)]
    [InlineData("/api", "/ap", false)]
    [InlineData("/docs/", "/docs/a", true)]
    [InlineData("/docs/", "/docs", false)]
    [InlineData("/", "/anything", true)]
    public void A_prefix_covers_itself_and_what_lies_below_it_on_a_segment_boundary(string prefix, string path, bool covered) =>
        Assert.Equal(covered, PathPrefix.Covers(prefix, path));
}
