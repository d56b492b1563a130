"""Account region opt-in, and EC2 DescribeRegions agreeing with it per account.

moto's Account API has only alternate contacts. AWS: the 17 regions that predate opt-in are
ENABLED_BY_DEFAULT; every later one is DISABLED until account:EnableRegion. Real AWS goes
ENABLING -> ENABLED (minutes to hours) and DISABLING -> DISABLED; here both are at once.
ec2:DescribeRegions must agree per account: moto lists af-south-1, ap-southeast-3 and
eu-south-1 as opt-in-not-required, but they are opt-in regions in AWS.
"""

import functools

from .common import account_of, add_actions, service_error


DEFAULT_REGIONS = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
}
EC2_STATUS = {"ENABLED_BY_DEFAULT": "opt-in-not-required", "ENABLED": "opted-in",
              "DISABLED": "not-opted-in"}


@functools.cache
def commercial_regions():
    """Every region of the aws partition, as moto's EC2 lists them."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    return tuple(r.name for r in RegionsAndZonesBackend.regions
                 if not r.name.startswith(("us-gov-", "cn-")))


def opted_in(account_id):
    """The account's opt-in region statuses, kept on moto's account backend."""
    from moto.account.models import account_backends

    return account_backends[account_id]["aws"].__dict__.setdefault("baseline_regions", {})


def region_status(account_id, region):
    if region in DEFAULT_REGIONS:
        return "ENABLED_BY_DEFAULT"
    return opted_in(account_id).get(region, "DISABLED")


def region_invalid(message):
    return service_error("ValidationException", message)


def requested_region(response, changing=False):
    region = response._get_param("RegionName")
    if region not in commercial_regions():
        raise region_invalid(f"{region} is not a valid region name")
    if changing and region in DEFAULT_REGIONS:
        raise region_invalid(f"{region} is enabled by default and cannot be enabled or disabled")
    return region


def get_region_opt_status(self):
    from moto.core.responses import ActionResult

    region = requested_region(self)
    return ActionResult({"RegionName": region,
                         "RegionOptStatus": region_status(account_of(self), region)})


def list_regions(self):
    from moto.core.responses import ActionResult

    account = account_of(self)
    wanted = self._get_param("RegionOptStatusContains") or list(EC2_STATUS)
    regions = [{"RegionName": r, "RegionOptStatus": region_status(account, r)}
               for r in sorted(commercial_regions())]
    return ActionResult({"Regions": [r for r in regions if r["RegionOptStatus"] in wanted],
                         "NextToken": None})


def set_region_status(response, status):
    from moto.core.responses import EmptyResult

    opted_in(account_of(response))[requested_region(response, changing=True)] = status
    return EmptyResult()


def enable_region(self):
    return set_region_status(self, "ENABLED")


def disable_region(self):
    return set_region_status(self, "DISABLED")


def ec2_region(region, account_id):
    """moto's Region with the account's opt-in status (other partitions as moto has them)."""
    from moto.ec2.models.availability_zones_and_regions import Region

    if region.name not in commercial_regions():
        return region
    status = EC2_STATUS[region_status(account_id, region.name)]
    return Region(region.name, region.endpoint, status)


def patch_regions():
    from moto.account import urls
    from moto.account.responses import AccountResponse
    from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

    add_actions(AccountResponse, urls.url_paths, {
        "getRegionOptStatus": get_region_opt_status, "listRegions": list_regions,
        "enableRegion": enable_region, "disableRegion": disable_region})
    original = AvailabilityZonesAndRegions.describe_regions

    def describe_regions(self):
        """Without AllRegions, AWS lists only the regions enabled for the account."""
        result = original(self)
        regions = [ec2_region(r, self.current_account) for r in result.result["Regions"]]
        if not self._get_bool_param("AllRegions", False) and not self._get_param("RegionNames"):
            regions = [r for r in regions if r.opt_in_status != "not-opted-in"]
        result.result["Regions"] = regions
        return result

    AvailabilityZonesAndRegions.describe_regions = describe_regions
