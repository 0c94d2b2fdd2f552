using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

/// <summary>
/// RFC 9112 §3.2: a Host with an invalid value is 400. Its grammar is RFC 3986's uri-host [ ":" port ]
/// (§3.2.2, §3.2.3); routing picks the virtual host from it.
/// </summary>
public sealed class HostFieldTests
{
    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:8080")]
    [InlineData("EXAMPLE.com:65535")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("[2001:db8::ff00:42:8329]:443")]
    [InlineData("[::ffff:192.0.2.1]")]
    [InlineData("[v1.fe80::a+en1]")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("my_host-1.example")]
    [InlineData("a%2Db.example")]
    [InlineData("example.com:")]
    public void Valid_host_is_accepted(string host)
    {
        var driver = ParserDriver.ParseAll($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");

        Assert.Null(driver.Rejection);
        Assert.Equal(host, Assert.Single(driver.Requests).Host);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":8080")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:99999999999")]
    [InlineData("example.com:8o")]
    [InlineData("example.com:-1")]
    [InlineData("example.com:80:80")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("user@a")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a\\b")]
    [InlineData("b\u00fccher.example")]
    [InlineData("a%zz")]
    [InlineData("a%2")]
    [InlineData("[::1")]
    [InlineData("::1")]
    [InlineData("[]")]
    [InlineData("[::g]")]
    [InlineData("[1:2:3:4:5:6:7:8:9]")]
    [InlineData("[127.0.0.1]")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[::1]x")]
    [InlineData("[::1]:http")]
    [InlineData("[v1.]")]
    [InlineData("[vz.a]")]
    public void Invalid_host_is_400(string host)
    {
        var driver = ParserDriver.ParseAll($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");

        Assert.Empty(driver.Requests);
        Assert.Equal(RejectionReason.InvalidHost, driver.Rejection?.Reason);
        Assert.Equal(400, driver.Rejection!.StatusCode);
    }

    [Theory]
    [InlineData("GET / HTTP/1.0")]
    [InlineData("OPTIONS * HTTP/1.1")]
    public void Empty_host_is_400_when_the_host_comes_from_it(string requestLine)
    {
        var driver = ParserDriver.ParseAll($"{requestLine}\r\nHost:\r\n\r\n");

        Assert.Equal(RejectionReason.InvalidHost, driver.Rejection?.Reason);
    }

    [Fact]
    public void Empty_host_is_accepted_with_an_absolute_form_target_which_names_the_host()
    {
        // RFC 9112 §3.2.2: the host then comes from the target and Host is ignored.
        var driver = ParserDriver.ParseAll("GET http://example.com/a HTTP/1.1\r\nHost:\r\n\r\n");

        Assert.Null(driver.Rejection);
        Assert.Equal("/a", Assert.Single(driver.Requests).Path);
    }

    [Fact]
    public void Host_with_an_absolute_form_target_must_still_be_valid()
    {
        var driver = ParserDriver.ParseAll("GET http://example.com/a HTTP/1.1\r\nHost: a b\r\n\r\n");

        Assert.Equal(RejectionReason.InvalidHost, driver.Rejection?.Reason);
    }

    [Fact]
    public void Host_value_is_trimmed_of_whitespace_before_it_is_checked()
    {
        var driver = ParserDriver.ParseAll("GET / HTTP/1.1\r\nHost: \t example.com:80 \t\r\n\r\n");

        Assert.Equal("example.com:80", Assert.Single(driver.Requests).Host);
    }
}
