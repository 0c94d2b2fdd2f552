using ActorHttp.Protocol;
using Xunit;

namespace ActorHttp.Tests.Protocol;

public sealed class ErrorTextTests
{
    [Theory]
    [InlineData("/nope\r\nX-Injected: true", "/nope%0D%0AX-Injected: true")]
    [InlineData("\0\u0001\t\u001b[31m\u001f", "%00%01%09%1B[31m%1F")]
    [InlineData("a\u007fb", "a%7Fb")]
    [InlineData("next\u0085line\u009b", "next%C2%85line%C2%9B")]
    [InlineData("/caf\u00e9/\u2713/a b/%0D", "/caf\u00e9/\u2713/a b/%0D")]
    [InlineData("", "")]
    public void Control_characters_are_percent_encoded_and_everything_else_kept(string fromRequest, string printable)
    {
        Assert.Equal(printable, ErrorText.Printable(fromRequest));
    }

    [Fact]
    public void Text_without_control_characters_is_returned_as_is()
    {
        const string path = "/files/{id}/x[1]";

        Assert.Same(path, ErrorText.Printable(path));
    }
}
