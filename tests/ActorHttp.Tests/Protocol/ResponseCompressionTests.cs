using System.IO.Compression;
using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Protocol;

/// <summary>RFC 9110 §12.5.3 (Accept-Encoding) and §8.4 (Content-Encoding).</summary>
public sealed class ResponseCompressionTests
{
    private static readonly CompressionSettings Settings = new();

    [Theory]
    [InlineData(null, ContentCoding.Identity)]
    [InlineData("", ContentCoding.Identity)]
    [InlineData("gzip", ContentCoding.Gzip)]
    [InlineData("br", ContentCoding.Brotli)]
    [InlineData("gzip, deflate, br", ContentCoding.Brotli)]
    [InlineData("br;q=0.5, gzip", ContentCoding.Gzip)]
    [InlineData("br;q=0, gzip;q=0", ContentCoding.Identity)]
    [InlineData("identity", ContentCoding.Identity)]
    [InlineData("*", ContentCoding.Brotli)]
    [InlineData("*;q=0.1, gzip;q=0.8", ContentCoding.Gzip)]
    [InlineData("br;q=0, *", ContentCoding.Gzip)]
    [InlineData("GZIP", ContentCoding.Gzip)]
    [InlineData("br;q=banana, gzip", ContentCoding.Gzip)]
    public void Negotiation_follows_q_values(string? acceptEncoding, ContentCoding expected) =>
        Assert.Equal(expected, ResponseCompression.Negotiate(acceptEncoding));

    private static HttpResponse TextResponse(int length, string type = "text/plain; charset=utf-8") =>
        HttpResponse.Text(200, new string('a', length / 2) + string.Concat(Enumerable.Range(0, length / 2).Select(i => (char)('a' + i % 26))), type);

    [Theory]
    [InlineData(ContentCoding.Gzip, "gzip")]
    [InlineData(ContentCoding.Brotli, "br")]
    public void Large_text_is_compressed_and_round_trips(ContentCoding coding, string token)
    {
        var original = TextResponse(4000);

        var compressed = ResponseCompression.Apply(original, coding, Settings);

        Assert.Contains(compressed.Headers, h => h.Key == "Content-Encoding" && h.Value == token);
        Assert.Contains(compressed.Headers, h => h.Key == "Vary" && h.Value == "Accept-Encoding");
        Assert.True(compressed.Body.Length < original.Body.Length);
        using var input = new MemoryStream(compressed.Body.ToArray());
        using Stream decoder = coding == ContentCoding.Brotli ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        Assert.Equal(original.Body.ToArray(), output.ToArray());
    }

    [Fact]
    public void Identity_still_says_the_answer_varies()
    {
        var response = ResponseCompression.Apply(TextResponse(4000), ContentCoding.Identity, Settings);

        Assert.Contains(response.Headers, h => h.Key == "Vary");
        Assert.DoesNotContain(response.Headers, h => h.Key == "Content-Encoding");
    }

    [Fact]
    public void Small_bodies_images_streams_and_encoded_bodies_are_left_alone()
    {
        var small = TextResponse(100);
        var image = TextResponse(4000, "image/png");
        var streamed = TextResponse(4000) with { Streamed = true };
        var encoded = TextResponse(4000).WithHeader("Content-Encoding", "gzip");
        var noContent = HttpResponse.Empty(204);

        foreach (var response in new[] { small, image, streamed, encoded, noContent })
        {
            Assert.Same(response, ResponseCompression.Apply(response, ContentCoding.Gzip, Settings));
        }
    }

    [Fact]
    public void Disabled_compression_changes_nothing()
    {
        var response = TextResponse(4000);
        Assert.Same(response, ResponseCompression.Apply(response, ContentCoding.Brotli, Settings with { Enabled = false }));
    }

    [Fact]
    public void Incompressible_text_goes_out_uncompressed()
    {
        var noise = new byte[4000];
        new Random(1).NextBytes(noise);
        var response = new HttpResponse { StatusCode = 200, Headers = [new("Content-Type", "text/plain")], Body = noise };

        var result = ResponseCompression.Apply(response, ContentCoding.Gzip, Settings);

        Assert.DoesNotContain(result.Headers, h => h.Key == "Content-Encoding");
        Assert.Equal(noise, result.Body.ToArray());
        Assert.Equal(Encoding.ASCII.GetBytes("Accept-Encoding"), Encoding.ASCII.GetBytes(result.Headers.Single(h => h.Key == "Vary").Value));
    }
}
