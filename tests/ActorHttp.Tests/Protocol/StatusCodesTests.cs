using System.Text;
using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public class StatusCodesTests
{
    [Theory]
    [InlineData(100, "Continue")]
    [InlineData(200, "OK")]
    [InlineData(204, "No Content")]
    [InlineData(404, "Not Found")]
    [InlineData(413, "Content Too Large")]
    [InlineData(422, "Unprocessable Content")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(505, "HTTP Version Not Supported")]
    public void Registered_codes_have_their_rfc_reason_phrase(int code, string reason)
    {
        Assert.Equal(reason, StatusCodes.ReasonPhrase(code));
    }

    [Theory]
    [InlineData(299)]
    [InlineData(306)]
    [InlineData(599)]
    [InlineData(0)]
    [InlineData(1000)]
    public void Unregistered_codes_have_an_empty_reason_phrase(int code)
    {
        Assert.Equal("", StatusCodes.ReasonPhrase(code));
    }

    [Fact]
    public void Status_lines_are_pre_encoded_once()
    {
        var line = StatusCodes.StatusLine(404);

        Assert.Equal("HTTP/1.1 404 Not Found\r\n", Encoding.ASCII.GetString(line));
        Assert.Same(line, StatusCodes.StatusLine(404));
    }

    [Fact]
    public void An_unregistered_code_keeps_the_space_before_the_empty_reason()
    {
        Assert.Equal("HTTP/1.1 599 \r\n", Encoding.ASCII.GetString(StatusCodes.StatusLine(599)));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    public void Codes_outside_the_three_digit_range_have_no_status_line(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusCodes.StatusLine(code));
    }
}
