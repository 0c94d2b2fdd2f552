using ActorHttp.Hosting;
using ActorHttp.Protocol;
using ActorHttp.Routing;
using Xunit;

namespace ActorHttp.Tests.Routing;

public class RouteConstraintTests
{
    private static readonly string[] _get = ["GET"];

    private static RouteTable<string> Table(params (string[]? Methods, string Template, string Target)[] routes) =>
        new(routes.Select(r => new RouteDefinition<string>(r.Methods, r.Template, r.Target)));

    [Theory]
    [InlineData("/items/{id:int}", "/items/42", true)]
    [InlineData("/items/{id:int}", "/items/-7", true)]
    [InlineData("/items/{id:int}", "/items/abc", false)]
    [InlineData("/items/{id:int}", "/items/99999999999", false)]
    [InlineData("/items/{id:long}", "/items/99999999999", true)]
    [InlineData("/items/{id:guid}", "/items/0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("/items/{id:guid}", "/items/nope", false)]
    [InlineData("/flags/{on:bool}", "/flags/true", true)]
    [InlineData("/flags/{on:bool}", "/flags/yes", false)]
    [InlineData("/names/{n:alpha}", "/names/Ada", true)]
    [InlineData("/names/{n:alpha}", "/names/Ada1", false)]
    [InlineData("/pages/{n:range(1,10)}", "/pages/10", true)]
    [InlineData("/pages/{n:range(1,10)}", "/pages/11", false)]
    [InlineData("/pages/{n:min(5)}", "/pages/4", false)]
    [InlineData("/pages/{n:max(5)}", "/pages/5", true)]
    [InlineData("/codes/{c:length(3)}", "/codes/abc", true)]
    [InlineData("/codes/{c:length(3)}", "/codes/abcd", false)]
    [InlineData("/codes/{c:length(2,3)}", "/codes/ab", true)]
    [InlineData("/codes/{c:minlength(2):maxlength(3)}", "/codes/a", false)]
    [InlineData("/codes/{c:minlength(2):maxlength(3)}", "/codes/abcd", false)]
    [InlineData("/posts/{slug:regex(^[a-z0-9-]+$)}", "/posts/hello-world", true)]
    [InlineData("/posts/{slug:regex(^[a-z0-9-]+$)}", "/posts/Hello", false)]
    [InlineData("/posts/{slug:regex([a-z]+)}", "/posts/abc1", false)]
    [InlineData("/years/{y:regex(\\d{4})}", "/years/2026", true)]
    [InlineData("/years/{y:regex(\\d{4})}", "/years/202", false)]
    [InlineData("/files/{*path:regex(.+\\.txt)}", "/files/a/b.txt", true)]
    [InlineData("/files/{*path:regex(.+\\.txt)}", "/files/a/b.png", false)]
    public void A_value_that_fails_a_constraint_makes_the_template_not_match(string template, string path, bool matches)
    {
        Assert.Equal(matches, RouteTemplate.Parse(template).TryMatch(path, out _));
    }

    [Fact]
    public void A_regex_is_matched_whole_and_may_hold_slashes_parentheses_and_braces()
    {
        var template = RouteTemplate.Parse("/v/{x:regex(^(a|b|c/d){1,2}$)}/end");

        Assert.True(template.TryMatch("/v/ab/end", out var values));
        Assert.Equal("ab", values["x"]);
        Assert.True(template.IsMatch("/v/a/end"));
        Assert.False(template.IsMatch("/v/aaa/end"));
    }

    [Theory]
    [InlineData("/blog/{page?}", "/blog", true, null)]
    [InlineData("/blog/{page?}", "/blog/3", true, "3")]
    [InlineData("/blog/{page?}", "/blog/", false, null)]
    [InlineData("/blog/{page?}", "/blog/3/4", false, null)]
    [InlineData("/blog/{page:int?}", "/blog/x", false, null)]
    [InlineData("/blog/{page:int?}", "/blog", true, null)]
    [InlineData("/blog/{page:regex(a?)?}", "/blog/a", true, "a")]
    public void An_optional_parameter_binds_one_segment_or_none(string template, string path, bool matches, string? value)
    {
        var parsed = RouteTemplate.Parse(template);

        Assert.Equal(matches, parsed.TryMatch(path, out var values));
        Assert.Equal(value, values.TryGetValue("page", out var bound) ? bound : null);
    }

    [Theory]
    [InlineData("/a/{id:integer}", "unknown constraint 'integer'")]
    [InlineData("/a/{id:int(3)}", "takes no argument")]
    [InlineData("/a/{id:range(1)}", "needs 2 whole-number argument(s)")]
    [InlineData("/a/{id:range(9,1)}", "bounds the wrong way round")]
    [InlineData("/a/{id:min(x)}", "'x', which is not a whole number")]
    [InlineData("/a/{slug:regex([a-z)}", "is not a valid regular expression")]
    [InlineData("/a/{slug:regex()}", "needs a pattern")]
    [InlineData("/a/{slug:regex(a}", "is never closed")]
    [InlineData("/a/{page?}/b", "optional parameter '{page?}' must be the last segment")]
    [InlineData("/a/{*rest?}", "cannot be optional")]
    public void A_bad_constraint_is_refused_when_the_template_is_parsed_saying_what_is_wrong(string template, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => RouteTemplate.Parse(template));

        Assert.Contains(message, error.Message);
        Assert.Contains(template, error.Message);
    }

    [Fact]
    public void Registering_a_route_with_an_invalid_regex_throws_at_the_registration()
    {
        var routes = new RouteBuilder();

        var error = Assert.Throws<ArgumentException>(() => routes.MapGet("/posts/{slug:regex([a-z)}", _ => HttpResponse.Empty(204)));

        Assert.Contains("parameter 'slug'", error.Message);
        Assert.Contains("not a valid regular expression", error.Message);
        Assert.Empty(routes.Routes);
    }

    [Fact]
    public void A_regex_that_needs_backtracking_still_works_within_its_timeout()
    {
        // A back-reference cannot run on the linear-time engine: the backtracking one takes it, bounded.
        var template = RouteTemplate.Parse("/twice/{w:regex((\\w+)-\\1)}");

        Assert.True(template.IsMatch("/twice/ab-ab"));
        Assert.False(template.IsMatch("/twice/ab-cd"));
    }

    [Fact]
    public void A_path_that_only_fails_a_constraint_is_404_not_405()
    {
        var table = Table((_get, "/items/{id:int}", "item"));

        Assert.Equal(RouteMatchKind.NotFound, table.Match("POST", "/items/abc").Kind);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "/items/abc").Kind);
        Assert.Equal(RouteMatchKind.MethodNotAllowed, table.Match("POST", "/items/5").Kind);
        Assert.Equal("5", table.Match("GET", "/items/5").Values["id"]);
    }

    [Theory]
    [InlineData("/users/42", "by-id")]
    [InlineData("/users/ada", "by-name")]
    public void A_constrained_parameter_is_more_specific_than_an_unconstrained_one(string path, string expected)
    {
        var table = Table((_get, "/users/{name}", "by-name"), (_get, "/users/{id:int}", "by-id"));

        Assert.Equal(expected, table.Match("GET", path).Target);
    }

    [Theory]
    [InlineData("/blog", "exact")]
    [InlineData("/blog/2", "optional")]
    [InlineData("/blog/2/3", "catch-all")]
    public void An_optional_parameter_ranks_after_a_required_one_and_before_a_catch_all(string path, string expected)
    {
        var table = Table((_get, "/blog/{*rest}", "catch-all"), (_get, "/blog/{page?}", "optional"), (_get, "/blog", "exact"));

        Assert.Equal(expected, table.Match("GET", path).Target);
    }
}
