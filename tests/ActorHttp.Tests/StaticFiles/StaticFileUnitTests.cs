using ActorHttp.Handlers.StaticFiles;

namespace ActorHttp.Tests.StaticFiles;

public sealed class StaticFileUnitTests
{
    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("STYLE.CSS", "text/css; charset=utf-8")]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("logo.svg", "image/svg+xml")]
    [InlineData("photo.jpeg", "image/jpeg")]
    [InlineData("font.woff2", "font/woff2")]
    [InlineData("module.wasm", "application/wasm")]
    [InlineData("archive.unknownext", "application/octet-stream")]
    [InlineData("Makefile", "application/octet-stream")]
    public void Content_types_come_from_the_table(string name, string type) => Assert.Equal(type, MimeTypes.For(name));

    [Theory]
    [InlineData("bytes=0-99", 1000, ByteRange.Outcome.Partial, 0, 99)]
    [InlineData("bytes=100-", 1000, ByteRange.Outcome.Partial, 100, 999)]
    [InlineData("bytes=-100", 1000, ByteRange.Outcome.Partial, 900, 999)]
    [InlineData("bytes=-5000", 1000, ByteRange.Outcome.Partial, 0, 999)]
    [InlineData("bytes=990-5000", 1000, ByteRange.Outcome.Partial, 990, 999)]
    [InlineData("bytes=1000-", 1000, ByteRange.Outcome.Unsatisfiable, 0, 0)]
    [InlineData("bytes=-0", 1000, ByteRange.Outcome.Unsatisfiable, 0, 0)]
    [InlineData("bytes=5-2", 1000, ByteRange.Outcome.Whole, 0, 0)]
    [InlineData("bytes=0-1,5-6", 1000, ByteRange.Outcome.Whole, 0, 0)]
    [InlineData("items=0-5", 1000, ByteRange.Outcome.Whole, 0, 0)]
    [InlineData("bytes=x-5", 1000, ByteRange.Outcome.Whole, 0, 0)]
    [InlineData(null, 1000, ByteRange.Outcome.Whole, 0, 0)]
    public void Range_fields_are_read_per_rfc_9110(string? field, long size, ByteRange.Outcome outcome, long first, long last)
    {
        Assert.Equal(outcome, ByteRange.Parse(field, size, out var range));
        if (outcome == ByteRange.Outcome.Partial)
        {
            Assert.Equal(new ByteRange(first, last), range);
        }
    }
}
