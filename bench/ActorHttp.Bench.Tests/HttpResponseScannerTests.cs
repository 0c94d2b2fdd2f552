using System.Text;

namespace ActorHttp.Bench.Tests;

public sealed class HttpResponseScannerTests
{
    private static ScannedResponse Scan(string text) => HttpResponseScanner.Scan(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void A_response_with_content_length_ends_after_its_body()
    {
        const string response = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";

        Assert.Equal(new ScannedResponse(response.Length, 200, false), Scan(response));
        Assert.False(Scan(response[..^1]).IsComplete);
        Assert.Equal(200, Scan(response[..^1]).Status);
    }

    [Fact]
    public void An_incomplete_head_has_no_status_yet()
    {
        Assert.Equal(default, Scan("HTTP/1.1 200 OK\r\nContent-Len"));
    }

    [Fact]
    public void A_chunked_body_ends_after_the_last_chunk_and_trailers()
    {
        const string head = "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n";
        const string body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";

        Assert.Equal(new ScannedResponse(head.Length + body.Length, 500, false), Scan(head + body));
        Assert.False(Scan(head + body[..^2]).IsComplete);
        Assert.False(Scan(head + "5\r\nhel").IsComplete);
    }

    [Fact]
    public void Connection_close_and_bodies_without_a_length_are_flagged()
    {
        const string refusal = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        Assert.Equal(new ScannedResponse(refusal.Length, 503, true), Scan(refusal));
        var untilClose = Scan("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome");
        Assert.False(untilClose.IsComplete);
        Assert.True(untilClose.Closes);
        Assert.Equal(200, untilClose.Status);
    }

    [Fact]
    public void Statuses_without_a_body_end_with_the_head()
    {
        const string response = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";

        Assert.Equal(new ScannedResponse(response.Length, 204, false), Scan(response));
    }

    [Fact]
    public void Garbage_is_not_a_response()
    {
        Assert.Throws<FormatException>(() => Scan("HTTX/1.1 200 OK\r\n\r\n"));
        Assert.Throws<FormatException>(() => Scan("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"));
    }

    [Fact]
    public void The_first_line_gives_the_status_of_a_partial_answer()
    {
        Assert.Equal(408, HttpResponseScanner.StatusOfFirstLine("HTTP/1.1 408 Request Timeout\r\nConn"u8));
        Assert.Null(HttpResponseScanner.StatusOfFirstLine("HTTP/1.1 40"u8));
        Assert.Null(HttpResponseScanner.StatusOfFirstLine("garbage\r\n"u8));
    }
}
