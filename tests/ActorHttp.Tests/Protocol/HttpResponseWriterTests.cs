using System.Buffers;
using System.Text;
using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public class HttpResponseWriterTests
{
    // The RFC 9110 §5.6.7 example instant, so every expected response below is exact.
    private static readonly byte[] _dateLine = DateHeaderSource.Format(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
    private const string Date = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";

    private static readonly ResponseTarget _http11 = new(HttpVersion.Http11, IsHeadRequest: false, KeepAlive: true);
    private static readonly ResponseTarget _http10KeepAlive = new(HttpVersion.Http10, IsHeadRequest: false, KeepAlive: true);
    private static readonly ResponseTarget _http10 = new(HttpVersion.Http10, IsHeadRequest: false, KeepAlive: false);
    private static readonly ResponseTarget _head11 = new(HttpVersion.Http11, IsHeadRequest: true, KeepAlive: true);

    [Fact]
    public void Writes_a_text_response_with_content_length_and_no_connection_field_on_http11_keep_alive()
    {
        var (text, outcome) = Write(HttpResponse.Text(200, "hello"), _http11);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 5\r\n" +
            "\r\n" +
            "hello",
            text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
    }

    [Fact]
    public void An_empty_body_on_a_status_that_allows_one_gets_content_length_zero()
    {
        var (text, outcome) = Write(HttpResponse.Empty(200), _http11);

        Assert.Equal("HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\nContent-Length: 0\r\n\r\n", text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
    }

    [Fact]
    public void Http10_keep_alive_gets_an_explicit_keep_alive_and_an_http11_status_line()
    {
        var (text, outcome) = Write(HttpResponse.Text(200, "hi"), _http10KeepAlive);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 2\r\n" +
            "Connection: keep-alive\r\n" +
            "\r\n" +
            "hi",
            text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
    }

    [Fact]
    public void Http10_without_keep_alive_gets_connection_close()
    {
        var (text, outcome) = Write(HttpResponse.Empty(404), _http10);

        Assert.Equal("HTTP/1.1 404 Not Found\r\n" + Date + "Server: ActorHttp\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", text);
        Assert.Equal(WriteOutcome.Close, outcome);
    }

    [Fact]
    public void Http11_request_that_asked_to_close_gets_connection_close()
    {
        var (text, outcome) = Write(HttpResponse.Empty(200), _http11 with { KeepAlive = false });

        Assert.Equal("HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", text);
        Assert.Equal(WriteOutcome.Close, outcome);
    }

    [Fact]
    public void A_response_that_asks_to_close_overrides_the_request_keep_alive()
    {
        var (text, outcome) = Write(HttpResponse.Empty(503) with { Close = true }, _http10KeepAlive);

        Assert.Equal("HTTP/1.1 503 Service Unavailable\r\n" + Date + "Server: ActorHttp\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", text);
        Assert.Equal(WriteOutcome.Close, outcome);
    }

    [Fact]
    public void Handler_framing_and_connection_fields_are_ignored()
    {
        var response = HttpResponse.Text(200, "abc")
            .WithHeader("content-length", "999")
            .WithHeader("Transfer-Encoding", "chunked")
            .WithHeader("CONNECTION", "close")
            .WithHeader("X-Kept", "yes");

        var (text, outcome) = Write(response, _http11);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "X-Kept: yes\r\n" +
            "Content-Length: 3\r\n" +
            "\r\n" +
            "abc",
            text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
    }

    [Fact]
    public void Handler_date_and_server_replace_the_defaults()
    {
        var response = HttpResponse.Empty(200)
            .WithHeader("server", "Custom/1.0")
            .WithHeader("Date", "Mon, 07 Nov 1994 00:00:00 GMT");

        var (text, _) = Write(response, _http11);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" +
            "server: Custom/1.0\r\n" +
            "Date: Mon, 07 Nov 1994 00:00:00 GMT\r\n" +
            "Content-Length: 0\r\n" +
            "\r\n",
            text);
    }

    [Fact]
    public void Head_gets_the_length_of_the_would_be_body_and_no_body_bytes()
    {
        var (text, outcome) = Write(HttpResponse.Text(200, "hello world"), _head11);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 11\r\n" +
            "\r\n",
            text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
    }

    [Theory]
    [InlineData(204, "No Content", false)]
    [InlineData(304, "Not Modified", false)]
    [InlineData(304, "Not Modified", true)]
    [InlineData(103, "Early Hints", false)]
    public void Statuses_without_content_get_no_framing_and_no_body(int status, string reason, bool head)
    {
        var response = HttpResponse.Text(status, "must not be sent");

        var (text, outcome) = Write(response, _http11 with { IsHeadRequest = head });

        Assert.Equal($"HTTP/1.1 {status} {reason}\r\n" + Date + "Server: ActorHttp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
        Assert.False(HttpResponseWriter.SendsBody(response, _http11));
    }

    [Fact]
    public void An_unregistered_status_keeps_the_space_before_the_empty_reason()
    {
        var (text, _) = Write(HttpResponse.Empty(599), _http11);

        Assert.StartsWith("HTTP/1.1 599 \r\n" + Date, text);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    [InlineData(0)]
    public void A_status_outside_100_to_599_throws_before_writing(int status)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponseWriter.Write(output, HttpResponse.Empty(status), _http11, _dateLine));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("X-Evil\r\nSet-Cookie", "a")]
    [InlineData("X-Evil\n", "a")]
    [InlineData("X-Evil\r", "a")]
    [InlineData("X Evil", "a")]
    [InlineData("X-Evil:", "a")]
    [InlineData("X-Évil", "a")]
    [InlineData("", "a")]
    [InlineData("X-Evil", "a\r\nSet-Cookie: session=stolen")]
    [InlineData("X-Evil", "a\nb")]
    [InlineData("X-Evil", "a\rb")]
    [InlineData("X-Evil", "a\0b")]
    [InlineData("X-Evil", "a\u0001b")]
    [InlineData("X-Evil", "a\u007Fb")]
    [InlineData("X-Evil", "a\u0100b")]
    public void An_unsafe_handler_field_writes_nothing_and_reports_invalid_header(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        var response = HttpResponse.Text(200, "body").WithHeader(name, value);

        var outcome = HttpResponseWriter.Write(output, response, _http11, _dateLine);

        Assert.Equal(WriteOutcome.InvalidHeader, outcome);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Tabs_and_obs_text_in_values_are_sent_as_latin1_octets()
    {
        var output = new ArrayBufferWriter<byte>();
        var response = HttpResponse.Empty(200).WithHeader("X-Name", "caf\u00E9\tau lait");

        HttpResponseWriter.Write(output, response, _http11, _dateLine);

        // Latin-1, not UTF-8: é goes out as the single octet 0xE9 (RFC 9110 §5.5 obs-text).
        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\nX-Name: caf\u00E9\tau lait\r\nContent-Length: 0\r\n\r\n",
            Text(output));
        Assert.Contains((byte)0xE9, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_streamed_http11_response_is_chunked_head_then_chunks_then_last_chunk()
    {
        var response = new HttpResponse { StatusCode = 200, Streamed = true, Headers = [new("Content-Type", "text/plain")] };
        var output = new ArrayBufferWriter<byte>();

        var outcome = HttpResponseWriter.Write(output, response, _http11, _dateLine);
        var chunked = HttpResponseWriter.UsesChunkedFraming(response, _http11);
        HttpResponseWriter.WriteChunk(output, "hello"u8, chunked);
        HttpResponseWriter.WriteChunk(output, ReadOnlySpan<byte>.Empty, chunked);
        HttpResponseWriter.WriteChunk(output, new byte[300].AsSpan(), chunked);
        HttpResponseWriter.WriteLastChunk(output, chunked);

        Assert.True(chunked);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n" +
            "Content-Type: text/plain\r\n" +
            "Transfer-Encoding: chunked\r\n" +
            "\r\n" +
            "5\r\nhello\r\n" +
            "12c\r\n" + new string('\0', 300) + "\r\n" +
            "0\r\n\r\n",
            Text(output));
    }

    [Fact]
    public void A_streamed_http10_response_is_close_delimited_raw_bytes()
    {
        var response = new HttpResponse { StatusCode = 200, Streamed = true };
        var output = new ArrayBufferWriter<byte>();

        var outcome = HttpResponseWriter.Write(output, response, _http10KeepAlive, _dateLine);
        var chunked = HttpResponseWriter.UsesChunkedFraming(response, _http10KeepAlive);
        HttpResponseWriter.WriteChunk(output, "hello "u8, chunked);
        HttpResponseWriter.WriteChunk(output, "world"u8, chunked);
        HttpResponseWriter.WriteLastChunk(output, chunked);

        Assert.False(chunked);
        Assert.Equal(WriteOutcome.Close, outcome);
        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\nConnection: close\r\n\r\nhello world",
            Text(output));
    }

    [Fact]
    public void A_streamed_response_to_head_has_no_framing_and_no_body()
    {
        var response = new HttpResponse { StatusCode = 200, Streamed = true };

        var (text, outcome) = Write(response, _head11);

        Assert.Equal("HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\n\r\n", text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
        Assert.False(HttpResponseWriter.UsesChunkedFraming(response, _head11));
        Assert.False(HttpResponseWriter.SendsBody(response, _head11));
    }

    [Fact]
    public void A_streamed_204_to_http10_keep_alive_is_not_close_delimited()
    {
        var response = new HttpResponse { StatusCode = 204, Streamed = true };

        var (text, outcome) = Write(response, _http10KeepAlive);

        Assert.Equal("HTTP/1.1 204 No Content\r\n" + Date + "Server: ActorHttp\r\nConnection: keep-alive\r\n\r\n", text);
        Assert.Equal(WriteOutcome.KeepOpen, outcome);
        Assert.False(HttpResponseWriter.UsesChunkedFraming(response, _http11));
    }

    [Fact]
    public void Last_chunk_is_nothing_when_not_chunked_and_the_terminator_when_chunked()
    {
        var plain = new ArrayBufferWriter<byte>();
        var chunked = new ArrayBufferWriter<byte>();

        HttpResponseWriter.WriteLastChunk(plain, chunked: false);
        HttpResponseWriter.WriteLastChunk(chunked, chunked: true);

        Assert.Equal(0, plain.WrittenCount);
        Assert.Equal("0\r\n\r\n", Text(chunked));
    }

    [Fact]
    public void Continue_is_a_bare_interim_response()
    {
        var output = new ArrayBufferWriter<byte>();

        HttpResponseWriter.WriteContinue(output);

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Text(output));
    }

    [Fact]
    public void A_body_larger_than_one_buffer_segment_is_copied_whole()
    {
        var body = new byte[100_000];
        Random.Shared.NextBytes(body);
        var output = new ArrayBufferWriter<byte>(16);

        HttpResponseWriter.Write(output, new HttpResponse { StatusCode = 200, Body = body }, _http11, _dateLine);

        var head = "HTTP/1.1 200 OK\r\n" + Date + "Server: ActorHttp\r\nContent-Length: 100000\r\n\r\n";
        Assert.Equal(head, Encoding.Latin1.GetString(output.WrittenSpan[..head.Length]));
        Assert.True(output.WrittenSpan[head.Length..].SequenceEqual(body));
    }

    [Fact]
    public void The_public_overload_writes_the_shared_date_line()
    {
        var output = new ArrayBufferWriter<byte>();

        var before = Encoding.ASCII.GetString(DateHeader.Current);
        HttpResponseWriter.Write(output, HttpResponse.Empty(200), _http11);
        var after = Encoding.ASCII.GetString(DateHeader.Current);

        var lines = Text(output).Split("\r\n");
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains(lines[1] + "\r\n", new[] { before, after });
    }

    [Fact]
    public void Writing_a_response_allocates_nothing()
    {
        var response = HttpResponse.Text(200, "hello").WithHeader("Cache-Control", "no-store");
        var output = new ArrayBufferWriter<byte>(4096);
        HttpResponseWriter.Write(output, response, _http11, _dateLine);
        output.ResetWrittenCount();

        // The fixed date line keeps a second boundary (a new shared line) out of the measurement.
        var before = GC.GetAllocatedBytesForCurrentThread();
        HttpResponseWriter.Write(output, response, _http11, _dateLine);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static (string Text, WriteOutcome Outcome) Write(HttpResponse response, ResponseTarget target)
    {
        var output = new ArrayBufferWriter<byte>();
        var outcome = HttpResponseWriter.Write(output, response, target, _dateLine);
        return (Text(output), outcome);
    }

    private static string Text(ArrayBufferWriter<byte> output) => Encoding.Latin1.GetString(output.WrittenSpan);
}
