using System.IO.Compression;
using System.Text;
using ActorHttp.Protocol;

namespace ActorHttp.Tests.Protocol;

/// <summary>Compression of streamed bodies: the head's negotiation, and the per-piece encoder.</summary>
public sealed class StreamingCompressionTests
{
    private static readonly CompressionSettings Settings = new();

    private static HttpResponse StreamedText(long? length = 100_000, string type = "text/javascript; charset=utf-8") => new()
    {
        StatusCode = 200,
        Headers = [new("Content-Type", type)],
        Streamed = true,
        StreamLength = length,
    };

    private static byte[] Text(int length, int seed) =>
        Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(seed, length).Select(i => (char)('a' + i * 7 % 26))));

    private static Stream Decoder(Stream input, ContentCoding coding) =>
        coding == ContentCoding.Brotli ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);

    [Theory]
    [InlineData("br", ContentCoding.Brotli, "br")]
    [InlineData("gzip", ContentCoding.Gzip, "gzip")]
    [InlineData("gzip, br", ContentCoding.Brotli, "br")]
    public void A_streamed_text_body_is_compressed_and_its_announced_length_gives_way_to_chunked_framing(string acceptEncoding, ContentCoding expected, string token)
    {
        var head = ResponseCompression.ApplyToStream(StreamedText(), acceptEncoding, Settings, out var coding);

        Assert.Equal(expected, coding);
        Assert.Null(head.StreamLength);
        Assert.True(head.Streamed);
        Assert.Contains(head.Headers, h => h.Key == "Content-Encoding" && h.Value == token);
        Assert.Contains(head.Headers, h => h.Key == "Vary" && h.Value == "Accept-Encoding");
    }

    [Fact]
    public void A_client_accepting_no_coding_gets_the_announced_length_and_vary()
    {
        var head = ResponseCompression.ApplyToStream(StreamedText(), null, Settings, out var coding);

        Assert.Equal(ContentCoding.Identity, coding);
        Assert.Equal(100_000, head.StreamLength);
        Assert.Contains(head.Headers, h => h.Key == "Vary");
        Assert.DoesNotContain(head.Headers, h => h.Key == "Content-Encoding");
    }

    [Fact]
    public void A_body_of_unknown_length_is_compressed()
    {
        ResponseCompression.ApplyToStream(StreamedText(length: null), "gzip", Settings, out var coding);

        Assert.Equal(ContentCoding.Gzip, coding);
    }

    [Fact]
    public void Short_binary_already_encoded_partial_complete_and_disabled_answers_are_left_alone()
    {
        var shortOne = StreamedText(length: 100);
        var image = StreamedText(type: "image/png");
        var encoded = StreamedText().WithHeader("Content-Encoding", "gzip");
        var partial = StreamedText() with { StatusCode = 206 };
        var complete = HttpResponse.Text(200, new string('a', 4000));

        foreach (var response in new[] { shortOne, image, encoded, partial, complete })
        {
            Assert.Same(response, ResponseCompression.ApplyToStream(response, "br, gzip", Settings, out var coding));
            Assert.Equal(ContentCoding.Identity, coding);
        }

        var text = StreamedText();
        Assert.Same(text, ResponseCompression.ApplyToStream(text, "br", Settings with { Enabled = false }, out _));
    }

    [Theory]
    [InlineData(null, new ContentCoding[0])]
    [InlineData("identity", new ContentCoding[0])]
    [InlineData("gzip", new[] { ContentCoding.Gzip })]
    [InlineData("gzip, br", new[] { ContentCoding.Brotli, ContentCoding.Gzip })]
    [InlineData("br;q=0.5, gzip", new[] { ContentCoding.Gzip, ContentCoding.Brotli })]
    [InlineData("br;q=0, *", new[] { ContentCoding.Gzip })]
    public void Accepted_codings_come_in_the_clients_order_of_preference(string? acceptEncoding, ContentCoding[] expected) =>
        Assert.Equal(expected, ResponseCompression.AcceptedCodings(acceptEncoding));

    [Theory]
    [InlineData(ContentCoding.Brotli)]
    [InlineData(ContentCoding.Gzip)]
    public void Every_piece_is_decodable_as_soon_as_it_is_compressed(ContentCoding coding)
    {
        var pieces = new[] { Text(30_000, 0), Text(50_000, 3), Text(1, 9), Text(70_000, 11) };
        using var compressor = new StreamingCompressor(coding, CompressionLevel.Fastest);
        var sent = new MemoryStream();
        using var decoder = Decoder(sent, coding);

        foreach (var piece in pieces)
        {
            var position = sent.Position;
            sent.Write(compressor.Compress(piece));
            sent.Position = position;
            // Only the bytes sent so far are there to read: the piece must decode from them alone.
            var decoded = new byte[piece.Length];
            decoder.ReadExactly(decoded);
            Assert.Equal(piece, decoded);
        }

        var end = compressor.Finish();
        Assert.False(end.IsEmpty);
    }

    [Theory]
    [InlineData(ContentCoding.Brotli)]
    [InlineData(ContentCoding.Gzip)]
    public void The_pieces_and_the_end_make_one_complete_coded_stream(ContentCoding coding)
    {
        var pieces = Enumerable.Range(0, 5).Select(i => Text(65_536, i)).ToArray();
        using var compressor = new StreamingCompressor(coding, CompressionLevel.Optimal);
        using var sent = new MemoryStream();
        foreach (var piece in pieces)
        {
            sent.Write(compressor.Compress(piece));
        }

        sent.Write(compressor.Finish());

        Assert.True(sent.Length < pieces.Sum(p => p.Length) / 4);
        sent.Position = 0;
        using var decoder = Decoder(sent, coding);
        using var decoded = new MemoryStream();
        decoder.CopyTo(decoded);
        Assert.Equal(pieces.SelectMany(p => p).ToArray(), decoded.ToArray());
    }

    [Fact]
    public void An_unfinished_compressor_can_be_disposed()
    {
        var compressor = new StreamingCompressor(ContentCoding.Brotli, CompressionLevel.Fastest);
        compressor.Compress(Text(1000, 0));

        compressor.Dispose();
    }
}
