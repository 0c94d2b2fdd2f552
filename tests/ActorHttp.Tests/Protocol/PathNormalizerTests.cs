using System.Text;
using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public sealed class PathNormalizerTests
{
    [Theory]
    // RFC 3986 §2.1: percent-decoding, hex case-insensitive, UTF-8.
    [InlineData("/", "/")]
    [InlineData("/echo", "/echo")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/%41%6a", "/Aj")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/%E2%9C%93", "/✓")]
    // %2F stays encoded so it cannot create a segment.
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/a%2fb", "/a%2Fb")]
    [InlineData("/%2e%2e%2f%2e%2e/etc", "/..%2F../etc")]
    // RFC 3986 §5.2.4: remove_dot_segments, never above the root.
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/a/../../b", "/b")]
    [InlineData("/..", "/")]
    [InlineData("/.", "/")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/b/.", "/a/b/")]
    [InlineData("/a/%2e%2e/b", "/b")]
    [InlineData("/a/%2E/b", "/a/b")]
    [InlineData("/a/.b/..c/...", "/a/.b/..c/...")]
    [InlineData("/a//b/", "/a//b/")]
    [InlineData("/echo/x/../y", "/echo/y")]
    // RFC 3986 §2.1 defines "%" HEXDIG HEXDIG only: any other "%" is not an escape and stays literal.
    [InlineData("/a%", "/a%")]
    [InlineData("/a%2", "/a%2")]
    [InlineData("/a%zz", "/a%zz")]
    [InlineData("/a%2g", "/a%2g")]
    [InlineData("/%%41%", "/%A%")]
    [InlineData("/a%zz/%2e%2e/b", "/b")]
    [InlineData("/x[1]/{id}", "/x[1]/{id}")]
    public void Rfc3986_decodes_and_removes_dot_segments(string raw, string expected)
    {
        Assert.True(PathNormalizer.TryNormalize(Encoding.ASCII.GetBytes(raw), out var path));
        Assert.Equal(expected, path);
    }

    [Theory]
    // Decoded NUL would truncate the path in anything downstream that speaks C strings.
    [InlineData("/a%00b")]
    // Invalid UTF-8: a lone continuation byte, an overlong "/", a truncated sequence.
    [InlineData("/%80")]
    [InlineData("/%C0%AF")]
    [InlineData("/%E2%9C")]
    public void Rfc3986_2_1_escapes_that_decode_to_nul_or_invalid_utf8_are_refused(string raw)
    {
        Assert.False(PathNormalizer.TryNormalize(Encoding.ASCII.GetBytes(raw), out _));
    }

    [Fact]
    public void Result_always_starts_with_a_slash()
    {
        Assert.True(PathNormalizer.TryNormalize("a/../../b"u8, out var path));
        Assert.Equal("/b", path);
        Assert.True(PathNormalizer.TryNormalize(""u8, out path));
        Assert.Equal("/", path);
    }

    [Fact]
    public void Long_paths_decode_beyond_the_stack_buffer()
    {
        var raw = "/" + string.Concat(Enumerable.Repeat("%61", 400));

        Assert.True(PathNormalizer.TryNormalize(Encoding.ASCII.GetBytes(raw), out var path));
        Assert.Equal("/" + new string('a', 400), path);
    }
}
