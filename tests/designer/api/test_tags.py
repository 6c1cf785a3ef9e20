"""Tag/Untag/ListTagsForResource on state machines and activities."""
import pytest


def test_it_tags_and_untags_a_state_machine(sfn, create):
    arn = create("m", tags=[{"key": "team", "value": "pizza"}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}, {"key": "team", "value": "pasta"}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "pasta"}, {"key": "env", "value": "dev"}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]


def test_it_tags_activities(sfn):
    arn = sfn.create_activity(name="a", tags=[{"key": "k", "value": "v"}])["activityArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k2", "value": ""}])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "k", "value": "v"},
                                                                   {"key": "k2", "value": ""}]


def test_it_limits_a_resource_to_fifty_tags(sfn, create):
    arn = create("m", tags=[{"key": f"k{n}", "value": ""} for n in range(50)])
    with pytest.raises(sfn.exceptions.TooManyTags):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": ""}])
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50


def test_it_answers_resource_not_found_and_invalid_arn(sfn, create, client_for, bob):
    arn = create("m")
    with pytest.raises(sfn.exceptions.ResourceNotFound) as info:
        sfn.list_tags_for_resource(resourceArn=arn + "x")
    assert info.value.response["resourceName"] == arn + "x"
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.tag_resource(resourceArn="arn:aws:states:us-east-1:123456789012:execution:m:e", tags=[])
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        client_for(bob).tag_resource(resourceArn=arn, tags=[{"key": "mine", "value": "now"}])
