#include "data/raw_event.h"

namespace vigil {
namespace {

std::string NameOrEmpty(const Catalog& catalog, Entity entity, uint32_t id) {
  return id == kNoId ? std::string() : catalog.Name(entity, id);
}

}  // namespace

Event InternEvent(const RawEvent& raw, Catalog* catalog) {
  Event e{.at = raw.at,
          .type = raw.type,
          .payment = raw.payment,
          .qc = raw.qc,
          .reason = raw.reason,
          .label_target = raw.label_target,
          .label = raw.label};
  e.customer = catalog->Intern(Entity::kCustomer, raw.customer_id);
  e.product = catalog->Intern(Entity::kProduct, raw.product_id);
  e.seller = catalog->Intern(Entity::kSeller, raw.seller_id);
  e.category = catalog->Intern(Entity::kCategory, raw.category);
  e.order = catalog->Intern(Entity::kOrder, raw.order_id);
  e.ret = catalog->Intern(Entity::kReturn, raw.return_id);
  e.device = catalog->Intern(Entity::kDevice, raw.device_id);
  e.pincode = catalog->Intern(Entity::kPincode, raw.pincode);
  e.size = catalog->Intern(Entity::kSize, raw.size);
  e.amount = raw.amount;
  e.discount = raw.discount;
  e.quantity = raw.quantity;
  e.registered_at = raw.registered_at;
  return e;
}

RawEvent ToRawEvent(const Event& e, const Catalog& catalog) {
  RawEvent raw{.at = e.at,
               .type = e.type,
               .payment = e.payment,
               .qc = e.qc,
               .reason = e.reason,
               .label_target = e.label_target,
               .label = e.label};
  raw.customer_id = NameOrEmpty(catalog, Entity::kCustomer, e.customer);
  raw.product_id = NameOrEmpty(catalog, Entity::kProduct, e.product);
  raw.seller_id = NameOrEmpty(catalog, Entity::kSeller, e.seller);
  raw.category = NameOrEmpty(catalog, Entity::kCategory, e.category);
  raw.order_id = NameOrEmpty(catalog, Entity::kOrder, e.order);
  raw.return_id = NameOrEmpty(catalog, Entity::kReturn, e.ret);
  raw.device_id = NameOrEmpty(catalog, Entity::kDevice, e.device);
  raw.pincode = NameOrEmpty(catalog, Entity::kPincode, e.pincode);
  raw.size = NameOrEmpty(catalog, Entity::kSize, e.size);
  raw.amount = e.amount;
  raw.discount = e.discount;
  raw.quantity = e.quantity;
  raw.registered_at = e.registered_at;
  return raw;
}

}  // namespace vigil
