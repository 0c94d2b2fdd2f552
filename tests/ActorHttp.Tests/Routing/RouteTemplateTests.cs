using ActorHttp.Routing;
using Xunit;

namespace ActorHttp.Tests.Routing;

public class RouteTemplateTests
{
    [Fact]
    public void Parses_literals_parameters_and_a_trailing_catch_all()
    {
        var template = RouteTemplate.Parse("/api/{version}/files/{*rest}");

        Assert.Equal(
            [
                new RouteSegment(RouteSegmentKind.Literal, "api"),
                new RouteSegment(RouteSegmentKind.Parameter, "version"),
                new RouteSegment(RouteSegmentKind.Literal, "files"),
                new RouteSegment(RouteSegmentKind.CatchAll, "rest"),
            ],
            template.Segments);
        Assert.True(template.HasParameters);
    }

    [Theory]
    [InlineData("/users", "/users", true)]
    [InlineData("/users", "/Users", false)]
    [InlineData("/users", "/users/", false)]
    [InlineData("/users", "/users/1", false)]
    [InlineData("/users", "/user", false)]
    [InlineData("/", "/", true)]
    [InlineData("/", "/a", false)]
    [InlineData("/users", "users", false)]
    [InlineData("/users", "", false)]
    [InlineData("/users", "*", false)]
    public void Literals_match_exactly_and_case_sensitively(string template, string path, bool matches)
    {
        Assert.Equal(matches, RouteTemplate.Parse(template).IsMatch(path));
    }

    [Fact]
    public void A_parameter_binds_one_segment()
    {
        var matched = RouteTemplate.Parse("/users/{id}/posts").TryMatch("/users/a b%/posts", out var values);

        Assert.True(matched);
        Assert.Equal(new Dictionary<string, string> { ["id"] = "a b%" }, values);
    }

    [Theory]
    [InlineData("/users/")]
    [InlineData("/users")]
    [InlineData("/users//posts")]
    [InlineData("/users/1/2/posts")]
    public void A_parameter_never_binds_an_empty_segment_or_several(string path)
    {
        var template = RouteTemplate.Parse("/users/{id}/posts");

        Assert.False(template.TryMatch(path, out var values));
        Assert.Empty(values);
        Assert.False(RouteTemplate.Parse("/users/{id}").IsMatch("/users/"));
    }

    [Theory]
    [InlineData("/files", "")]
    [InlineData("/files/", "")]
    [InlineData("/files/a", "a")]
    [InlineData("/files/a/b", "a/b")]
    [InlineData("/files/a/b/", "a/b/")]
    [InlineData("/files//x", "/x")]
    public void A_catch_all_binds_the_rest_of_the_path_even_when_empty(string path, string rest)
    {
        Assert.True(RouteTemplate.Parse("/files/{*rest}").TryMatch(path, out var values));
        Assert.Equal(rest, values["rest"]);
    }

    [Theory]
    [InlineData("/filesx")]
    [InlineData("/other/a")]
    public void A_catch_all_still_needs_the_segments_before_it(string path)
    {
        Assert.False(RouteTemplate.Parse("/files/{*rest}").IsMatch(path));
    }

    [Fact]
    public void A_root_catch_all_matches_every_path()
    {
        var template = RouteTemplate.Parse("/{*path}");

        Assert.True(template.TryMatch("/", out var root));
        Assert.Equal("", root["path"]);
        Assert.True(template.TryMatch("/a/b", out var deep));
        Assert.Equal("a/b", deep["path"]);
    }

    [Fact]
    public void Parameter_names_are_looked_up_case_insensitively()
    {
        Assert.True(RouteTemplate.Parse("/users/{Id}").TryMatch("/users/7", out var values));
        Assert.Equal("7", values["id"]);
    }

    [Fact]
    public void A_template_without_parameters_shares_one_empty_values_instance()
    {
        var template = RouteTemplate.Parse("/health");

        Assert.True(template.TryMatch("/health", out var first));
        Assert.True(template.TryMatch("/health", out var second));
        Assert.Empty(first);
        Assert.Same(first, second);
        Assert.False(template.HasParameters);
    }

    [Theory]
    [InlineData("users", "must start with '/'")]
    [InlineData("", "must start with '/'")]
    [InlineData("/files/{*rest}/more", "must be the last segment")]
    [InlineData("/files/{*rest}/", "must be the last segment")]
    [InlineData("/a/{id}/b/{id}", "used twice")]
    [InlineData("/a/{id}/b/{ID}", "used twice")]
    [InlineData("/a/{id", "unbalanced")]
    [InlineData("/a/id}", "unbalanced")]
    [InlineData("/a/x{id}", "unbalanced")]
    [InlineData("/a/{id}x", "unbalanced")]
    [InlineData("/a/{{id}}", "unbalanced")]
    [InlineData("/a/{}", "needs a name")]
    [InlineData("/a/{*}", "needs a name")]
    public void Invalid_templates_throw_with_a_clear_message(string template, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => RouteTemplate.Parse(template));

        Assert.Contains($"'{template}'", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("/users/new", "/users/{id}")]
    [InlineData("/users/{id}", "/users/{*rest}")]
    [InlineData("/users", "/users/{*rest}")]
    [InlineData("/a/b/{x}", "/a/{y}/c")]
    [InlineData("/a/{x}/c", "/{y}/b/c")]
    public void Specificity_is_literal_then_parameter_then_catch_all_segment_by_segment(string moreSpecific, string lessSpecific)
    {
        var a = RouteTemplate.Parse(moreSpecific);
        var b = RouteTemplate.Parse(lessSpecific);

        Assert.True(RouteTemplate.CompareSpecificity(a, b) < 0);
        Assert.True(RouteTemplate.CompareSpecificity(b, a) > 0);
        Assert.Equal(0, RouteTemplate.CompareSpecificity(a, RouteTemplate.Parse(moreSpecific)));
    }
}
