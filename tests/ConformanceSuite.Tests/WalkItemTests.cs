using System.Text.Json.Nodes;
using ConformanceSuite.Checks;
using FluentAssertions;
using NUnit.Framework;

namespace ConformanceSuite.Tests;

/// <summary>
/// What a walk keeps of an item: the text at each pointer of its projection, as read, and a hash of each top-level
/// field; the id and the values many items share (the schema's enums) are held once for the whole walk.
/// </summary>
[TestFixture]
public sealed class WalkItemTests
{
    private static JsonObject Item(string id, string status, string? channel) =>
        new() { ["id"] = id, ["status"] = status, ["channel"] = new JsonObject { ["type"] = channel }, ["count"] = 3 };

    [Test]
    public void The_kept_texts_are_as_read_and_the_id_and_enum_values_are_held_once()
    {
        var projection = new WalkProjection(["/id", "/status", "/channel/type", "/missing"], ["open", "closed"]);
        // Each item is parsed on its own, as a page's are: equal texts are different strings until the projection shares them.
        var first = JsonNode.Parse(Item("s-1", "open", "web").ToJsonString())!.AsObject();
        var second = JsonNode.Parse(Item("s-2", "open", null).ToJsonString())!.AsObject();
        var odd = JsonNode.Parse(Item("s-3", "archived", "web").ToJsonString())!.AsObject();

        var a = projection.Keep(first, "s-1", 1);
        var b = projection.Keep(second, "s-2", 1);
        var c = projection.Keep(odd, "s-3", 2);

        a.Text("/status").Should().Be("open").And.BeSameAs(b.Text("/status"), "a value of the shared set is held once");
        a.Text("/id").Should().BeSameAs(a.Id, "the id is held once per item");
        c.Text("/status").Should().Be("archived", "a value outside the shared set is kept as read");
        a.Text("/channel/type").Should().Be("web");
        c.Text("/channel/type").Should().Be("web").And.NotBeSameAs(a.Text("/channel/type"), "only the shared set is shared");
        b.Text("/channel/type").Should().BeNull("a JSON null has no text");
        a.Text("/missing").Should().BeNull();
        c.Page.Should().Be(2);
        a.Fields.Select(f => f.Name).Should().Equal("id", "status", "channel", "count");
        a.Fields.Single(f => f.Name == "channel").Hash.Should().Be(WalkItem.HashOf(new JsonObject { ["type"] = "web" }));

        var plain = new WalkProjection(["/status"]);
        plain.Keep(first, "s-1", 1).Text("/status").Should().Be("open").And.NotBeSameAs(plain.Keep(second, "s-2", 1).Text("/status"), "with no shared values, nothing is shared");
    }

    [Test]
    public void A_walk_of_a_contract_shares_the_enum_values_its_item_schema_declares()
    {
        var contract = new Contracts.ContractLoader(Harness.Layout).Load("opencx-chat-sessions");
        var projection = WalkProjection.For(contract, contract.Endpoint("list-sessions"));
        var id = Guid.NewGuid().ToString();

        var one = projection.Keep(JsonNode.Parse($$"""{"id":"{{id}}","status":"closed_resolved","ai_closure_type":"handed_off"}""")!.AsObject(), id, 1);
        var two = projection.Keep(JsonNode.Parse("""{"id":"x","status":"closed_resolved","ai_closure_type":"handed_off"}""")!.AsObject(), "x", 1);

        one.Text("/status").Should().Be("closed_resolved").And.BeSameAs(two.Text("/status"));
        // Not a filter's field: kept only because the item schema declares it an enum.
        one.Text("/ai_closure_type").Should().Be("handed_off").And.BeSameAs(two.Text("/ai_closure_type"));
        one.Text("/id").Should().BeSameAs(one.Id);
    }
}
