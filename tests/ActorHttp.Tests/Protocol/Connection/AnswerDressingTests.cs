using System.IO.Compression;
using ActorHttp.Protocol;
using ActorHttp.Protocol.Connection;
using ActorHttp.Routing;
using static ActorHttp.Tests.Protocol.Connection.CoreDriver;

namespace ActorHttp.Tests.Protocol.Connection;

/// <summary>What the connection adds to a handler's answer on its way out: the CORS grant and the content coding.</summary>
public sealed class AnswerDressingTests
{
    private static readonly ConnectionSettings Cors = Defaults with
    {
        Cors = [new CorsPolicy("/api", ["https://app.example"], ["GET"], [], TimeSpan.FromMinutes(10), Credentials: false)],
    };

    [Fact]
    public void An_allowed_cross_origin_request_gets_the_cors_grant()
    {
        var d = new CoreDriver(Cors);
        d.Receive(Get("/api/items", "Origin: https://app.example\r\n"));

        d.Respond(0, "[]");
        var response = Wire.Single(d.Flush());

        Assert.Equal("https://app.example", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", response.Header("Vary"));
    }

    [Fact]
    public void An_origin_not_on_the_list_or_a_path_outside_the_policy_gets_no_grant()
    {
        var d = new CoreDriver(Cors);
        d.Receive(Get("/api/items", "Origin: https://evil.example\r\n") + Get("/other", "Origin: https://app.example\r\n"));

        d.Respond(0, "[]");
        d.Respond(1, "other");
        var responses = Wire.Responses(d.Flush());

        Assert.All(responses, response => Assert.Null(response.Header("Access-Control-Allow-Origin")));
    }

    [Fact]
    public void A_large_text_answer_to_a_client_accepting_gzip_is_compressed()
    {
        var d = new CoreDriver();
        var text = string.Concat(Enumerable.Repeat("compress me please ", 200));
        d.Receive(Get("/text", "Accept-Encoding: gzip\r\n"));

        d.Respond(0, text);
        var response = Wire.Single(d.Flush());

        Assert.Equal("gzip", response.Header("Content-Encoding"));
        Assert.True(response.Body.Length < text.Length / 4);
        using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(text, reader.ReadToEnd());
    }

    [Fact]
    public void A_streamed_answer_to_a_client_accepting_gzip_is_compressed_chunk_by_chunk()
    {
        var d = new CoreDriver();
        var piece = string.Concat(Enumerable.Repeat("stream me please ", 100));
        d.Receive(Get("/text", "Accept-Encoding: gzip\r\n"));

        d.Respond(0, new HttpResponse { StatusCode = 200, Streamed = true, Headers = [new("Content-Type", "text/plain")] }, "streamer");
        d.RespondChunk(0, piece);
        d.RespondChunk(0, piece);
        d.RespondEnd(0);
        var response = Wire.Single(d.Flush());

        Assert.Equal("gzip", response.Header("Content-Encoding"));
        using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(piece + piece, reader.ReadToEnd());
    }
}
